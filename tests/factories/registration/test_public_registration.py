"""Anyone registers a factory, on the page and through the API, with no account (R-REG-1); bad input is refused
field by field and saves nothing; one shared per-address budget limits both."""

import re

import pytest
from django.core import mail

from factories.models import Registration
from tests.builders import staff

pytestmark = pytest.mark.django_db

API = "/api/v1/registrations/"
PAGE = "/register/"


def _limit(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "registration": rate},
    }


# --- it works, anonymously -------------------------------------------------------------------------------------


def test_api_registers_anonymously(api_client, valid, eager_mail):
    manager = staff("programme_manager", "KH", email="pm.kh@programme.example")
    staff("programme_manager", "VN", email="pm.vn@programme.example")
    with eager_mail(execute=True):
        response = api_client.post(API, valid, format="json")

    assert response.status_code == 201
    body = response.json()
    registration = Registration.objects.get()
    assert body == {
        "id": registration.pk,
        "status": "submitted",
        "factory_name": "Lotus Stitch (Cambodia) Co., Ltd.",
        "country": "KH",
        "sector": "apparel",
        "address": "Street 271, Phnom Penh",
        "workers": 1200,
        "women_percent": 81.5,
        "contact_name": "Sophea Chan",
        "contact_email": "sophea@lotus.example",
        "contact_phone": "+855 12 345 678",
        "buyers": ["Acme Apparel", "Zenith Retail"],
        "os_id": "KH2026001ABC",
        "created_at": body["created_at"],
    }
    assert registration.normalized_name == "lotus stitch cambodia"
    assert registration.language == "en"
    # the registrant is told it arrived; the country's manager (not another country's) is asked to review it
    assert sorted(m.to[0] for m in mail.outbox) == [manager.email, "sophea@lotus.example"]
    review = next(m for m in mail.outbox if m.to == [manager.email])
    assert f"/factories/registrations/{registration.pk}/" in review.body


def test_api_registration_ignores_status_and_review_fields(api_client, valid):
    response = api_client.post(API, {**valid, "status": "approved", "review_note": "x", "factory": 1}, format="json")
    assert response.status_code == 201
    registration = Registration.objects.get()
    assert (registration.status, registration.review_note, registration.factory_id) == ("submitted", "", None)


def test_footwear_is_offered_in_cambodia_and_vietnam(api_client, valid):
    for code in ("KH", "VN"):
        response = api_client.post(API, {**valid, "country": code, "sector": "footwear"}, format="json")
        assert response.status_code == 201, response.json()
    assert set(Registration.objects.values_list("country_id", "sector")) == {("KH", "footwear"), ("VN", "footwear")}


def test_page_shows_every_country_and_registers_anonymously(client, valid_form, eager_mail):
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert len(re.findall(r'<option value="[A-Z]{2}"', html)) == 11
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_factory_name">' in html
    assert "footwear only in: Cambodia, Vietnam" in html

    with eager_mail(execute=True):
        response = client.post(PAGE, valid_form)

    assert response.status_code == 302
    assert response["Location"] == "/register/thanks/"
    registration = Registration.objects.get()
    assert registration.buyers == ["Acme Apparel", "Zenith Retail"]
    assert (registration.status, registration.country_id, registration.workers) == ("submitted", "KH", 1200)
    assert [m.to for m in mail.outbox] == [["sophea@lotus.example"]]
    thanks = client.get(response["Location"])
    assert "Thank you: your registration is sent" in thanks.content.decode()


def test_anonymous_visitors_find_the_form_in_the_navigation(client):
    html = client.get("/").content.decode()
    assert '<a href="/register/">Register a factory</a>' in html


# --- bad input: 400 naming the field, nothing saved ------------------------------------------------------------

BAD = [
    ({"country": "XX"}, "country", "Unknown country “XX”"),
    ({"country": ""}, "country", None),
    ({"sector": "leather"}, "sector", None),
    ({"sector": "footwear", "country": "BD"}, "sector", "The Bangladesh programme does not serve"),
    ({"sector": "footwear", "country": "JO"}, "sector", "Jordan"),
    ({"workers": 0}, "workers", None),
    ({"workers": -12}, "workers", None),
    ({"workers": 100_001}, "workers", None),
    ({"workers": "many"}, "workers", None),
    ({"women_percent": -0.5}, "women_percent", None),
    ({"women_percent": 100.5}, "women_percent", None),
    ({"women_percent": 250}, "women_percent", None),
    ({"contact_email": "sophea-at-lotus"}, "contact_email", None),
    ({"factory_name": ""}, "factory_name", None),
]
IDS = [
    "unknown-country",
    "no-country",
    "unknown-sector",
    "footwear-in-bangladesh",
    "footwear-in-jordan",
    "no-workers",
    "negative-workers",
    "absurd-workers",
    "workers-not-a-number",
    "women-below-0",
    "women-above-100",
    "women-far-above-100",
    "invalid-email",
    "no-name",
]


@pytest.mark.parametrize(("change", "field", "message"), BAD, ids=IDS)
def test_api_bad_input_is_400_on_the_field_and_saves_nothing(api_client, valid, eager_mail, change, field, message):
    with eager_mail(execute=True):
        response = api_client.post(API, {**valid, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    if message:
        assert message in body[field][0]
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_api_missing_fields_are_named(api_client):
    response = api_client.post(API, {"factory_name": "Lotus"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {
        "country", "sector", "address", "workers", "women_percent", "contact_name", "contact_email",
    }  # fmt: skip
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(("change", "field", "message"), BAD, ids=IDS)
def test_page_bad_input_shows_the_error_next_to_the_field(client, valid_form, eager_mail, change, field, message):
    with eager_mail(execute=True):
        response = client.post(PAGE, {**valid_form, **change})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {field}
    if message and field != "country":  # the page offers a list of countries: see the next test
        assert message in form.errors[field][0]
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html  # rendered with the field
    assert 'aria-invalid="true"' in html
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_page_unknown_country_asks_to_choose_from_the_list(client, valid_form):
    response = client.post(PAGE, {**valid_form, "country": "XX"})
    assert response.status_code == 400
    assert response.context["form"].errors["country"] == ["Choose one of the programme countries in the list."]


def test_page_keeps_what_was_typed_after_an_error(client, valid_form):
    response = client.post(PAGE, {**valid_form, "workers": 0})
    html = response.content.decode()
    assert 'value="Lotus Stitch (Cambodia) Co., Ltd."' in html
    assert "Acme Apparel" in html


# --- rate limit: one budget per client address, shared by the page and the API -------------------------------


def test_api_is_rate_limited_per_address(api_client, valid, settings):
    _limit(settings, "3/hour")
    for n in range(3):
        assert api_client.post(API, {**valid, "factory_name": f"Lotus {n}"}, format="json").status_code == 201
    response = api_client.post(API, {**valid, "factory_name": "Lotus 4"}, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response
    assert Registration.objects.count() == 3
    assert not Registration.objects.filter(factory_name="Lotus 4").exists()
    # another network still gets through
    other = api_client.post(API, {**valid, "factory_name": "Lotus 5"}, format="json", REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 201


def test_a_forged_forwarded_for_header_does_not_reset_the_budget(api_client, valid, settings):
    _limit(settings, "1/hour")
    assert api_client.post(API, valid, format="json", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 201
    response = api_client.post(API, valid, format="json", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 429
    assert Registration.objects.count() == 1


def test_behind_a_declared_proxy_each_client_has_its_budget(api_client, valid, settings):
    _limit(settings, "1/hour")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert api_client.post(API, valid, format="json", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 201
    assert api_client.post(API, valid, format="json", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 201
    assert api_client.post(API, valid, format="json", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_default_budget_is_ten_an_hour(api_client, valid):
    for n in range(10):
        assert api_client.post(API, {**valid, "factory_name": f"Lotus {n}"}, format="json").status_code == 201
    assert api_client.post(API, {**valid, "factory_name": "Lotus 10"}, format="json").status_code == 429
    assert Registration.objects.count() == 10


def test_page_is_rate_limited_with_a_clear_page(client, valid_form, settings):
    _limit(settings, "2/hour")
    assert client.get(PAGE).status_code == 200  # reading the form costs nothing
    for n in range(2):
        assert client.post(PAGE, {**valid_form, "factory_name": f"Lotus {n}"}).status_code == 302
    response = client.post(PAGE, {**valid_form, "factory_name": "Lotus 3"})
    assert response.status_code == 429
    assert "Retry-After" in response
    html = response.content.decode()
    assert "Too many registrations from your network" in html
    assert "Please try again later" in html
    assert Registration.objects.count() == 2


def test_page_and_api_share_one_budget(client, api_client, valid, valid_form, settings):
    _limit(settings, "2/hour")
    assert api_client.post(API, valid, format="json").status_code == 201
    assert client.post(PAGE, valid_form).status_code == 302
    assert client.post(PAGE, valid_form).status_code == 429
    assert api_client.post(API, valid, format="json").status_code == 429
    assert Registration.objects.count() == 2


def test_schema_documents_every_registration_and_factory_endpoint_without_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema
    from rest_framework.routers import DefaultRouter

    from factories.api import registration
    from factories.api.views import FactoryViewSet

    router = DefaultRouter()
    registration.register(router)
    router.register("factories", FactoryViewSet, basename="factory")
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(request=None, public=True)
    validate_schema(schema)
    # Enum names ("status" of factories and registrations) are the project's to settle (ENUM_NAME_OVERRIDES).
    assert [w for w in GENERATOR_STATS._warn_cache if "enum naming" not in w] == []
    assert not GENERATOR_STATS._error_cache
    paths = schema["paths"]
    assert set(paths) == {
        "/api/v1/registrations/",
        "/api/v1/registrations/{id}/",
        "/api/v1/registrations/{id}/approve/",
        "/api/v1/registrations/{id}/reject/",
        "/api/v1/registrations/{id}/request-changes/",
        "/api/v1/factories/",
        "/api/v1/factories/{id}/",
        "/api/v1/factories/{id}/record-payment/",
        "/api/v1/factories/{id}/invoices/",
        "/api/v1/factories/{id}/exit/",
        "/api/v1/factories/{id}/suspend/",
    }
    assert set(paths["/api/v1/registrations/"]["post"]["responses"]) == {"201", "400", "429"}
    assert set(paths["/api/v1/factories/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/factories/{id}/invoices/"]) == {"get", "post"}
    approve = paths["/api/v1/registrations/{id}/approve/"]["post"]
    assert approve["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RegistrationApprovedOutput"
    }
