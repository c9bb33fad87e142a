"""Zero-tolerance pages (staff only) and the red banner on the factory page, shown to staff and never to the
factory's own users."""

from datetime import timedelta

import pytest
from django.utils import timezone

from advisory.models import ZeroToleranceCase
from advisory.services import visit_record
from advisory.services.zero_tolerance import case_close, case_open
from betterwork.common.models import Notification
from tests.builders import FactoryBuilder, factory_user, staff, with_totp

pytestmark = pytest.mark.django_db
BANNER = 'class="zt-banner"'


def _staff(role="advisor", code="KH", **kwargs):
    user = staff(role, code, **kwargs)
    with_totp(user)
    return user


def test_the_banner_shows_an_open_case_to_staff_and_never_to_the_factory(client):
    factory = FactoryBuilder()
    advisor = _staff()
    client.force_login(advisor)
    assert BANNER not in client.get(f"/factories/{factory.pk}/").content.decode()

    case = case_open(factory=factory, actor=advisor, category="child_labour", description="A child at work.")
    page = client.get(f"/factories/{factory.pk}/").content.decode()
    assert BANNER in page
    assert f"/factories/{factory.pk}/zero-tolerance/{case.pk}/" in page

    client.force_login(factory_user(factory))
    page = client.get(f"/factories/{factory.pk}/")
    assert page.status_code == 200
    assert BANNER not in page.content.decode()
    assert "zero-tolerance" not in page.content.decode()

    client.force_login(advisor)
    case_close(case_id=case.pk, actor=advisor, note="Resolved.")
    assert BANNER not in client.get(f"/factories/{factory.pk}/").content.decode()


def test_staff_open_log_and_close_a_case_in_the_browser(client):
    factory = FactoryBuilder(name="Lotus")
    manager = staff("programme_manager", "KH")
    client.force_login(_staff())
    url = f"/factories/{factory.pk}/zero-tolerance/"
    assert client.get(url).status_code == 200

    response = client.post(url, {"category": "forced_labour", "description": "Passports held by the employer."})
    case = ZeroToleranceCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{url}{case.pk}/"
    assert Notification.objects.filter(recipient=manager, title="Zero tolerance: Forced labour at Lotus").exists()

    assert client.post(f"{url}{case.pk}/", {"action": "log", "text": "Passports returned."}).status_code == 302
    refused = client.post(f"{url}{case.pk}/", {"action": "close", "note": ""})
    assert refused.status_code == 200
    case.refresh_from_db()
    assert case.status == "open"
    assert client.post(f"{url}{case.pk}/", {"action": "close", "note": "Verified."}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_note) == ("closed", "Verified.")
    page = client.get(f"{url}{case.pk}/").content.decode()
    assert "Passports returned." in page
    assert "Close the case" not in page


def test_the_pages_are_404_for_the_factory_and_other_countries(client):
    factory = FactoryBuilder()
    case = case_open(factory=factory, actor=staff("assessor", "KH"), category="violence", description="Threats.")
    for user in (factory_user(factory), _staff("advisor", "VN")):
        client.force_login(user)
        assert client.get(f"/factories/{factory.pk}/zero-tolerance/").status_code == 404
        assert client.get(f"/factories/{factory.pk}/zero-tolerance/{case.pk}/").status_code == 404
        assert (
            client.post(
                f"/factories/{factory.pk}/zero-tolerance/", {"category": "other", "description": "x"}
            ).status_code
            == 404
        )
    assert ZeroToleranceCase.objects.count() == 1


def test_a_case_opened_from_a_visit_links_back_to_it(client):
    factory = FactoryBuilder()
    advisor = _staff()
    visit = visit_record(factory_id=factory.pk, actor=advisor, on=timezone.localdate() - timedelta(days=1),
                         kind="advisory", modality="onsite", days=1)  # fmt: skip
    client.force_login(advisor)
    url = f"/factories/{factory.pk}/zero-tolerance/"
    assert f'<option value="{visit.pk}" selected>' in client.get(f"{url}?visit={visit.pk}").content.decode()

    client.post(url, {"category": "child_labour", "description": "Seen at the visit.", "visit": visit.pk})
    case = ZeroToleranceCase.objects.get()
    assert case.visit == visit
    assert f"/factories/{factory.pk}/visits/{visit.pk}/" in client.get(f"{url}{case.pk}/").content.decode()
