"""The buyer portal (R-ACC-1/2): buyer users only; authorising factories with their released reports and plans;
revocation closes every page at once; list pages log nothing, opening a report from them logs exactly one read;
what is new since the previous visit; filters, pagination, a fixed number of queries; translatable text."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import trans_real

from advisory.models import ProgressReport
from assessments.models import Schedule
from betterwork.accounts.models import Role
from factories.models import BuyerRead
from factories.services.buyers import authorisation_revoke
from tests.builders import (
    BuyerBuilder,
    BuyerReadBuilder,
    FactoryBuilder,
    buyer_user,
    country,
    factory_user,
    global_admin,
    staff,
)
from tests.reporting.buyer.helpers import (
    URLCONF,
    a_buyer,
    authorised_factory_with_reports,
    client_for,
    cycle,
    grant,
    plan_item,
    planned_assessment,
    progress_report,
    published_assessment,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]

PAGES = ("/buyer/", "/buyer/reads/")


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- who may open the portal ---------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in():
    factory = FactoryBuilder()
    for url in (*PAGES, f"/buyer/factories/{factory.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response.url.startswith(resolve_url(settings.LOGIN_URL))
        assert response.url.endswith(f"?next={url}")


@pytest.mark.parametrize("role", [Role.FACTORY, Role.ADVISOR, Role.PROGRAMME_MANAGER, Role.GLOBAL_ADMIN])
def test_only_buyer_users_open_the_portal_others_get_403(role):
    buyer, _ = a_buyer()
    factory = authorised_factory_with_reports(buyer)
    if role == Role.FACTORY:
        user = factory_user(factory)
    elif role == Role.GLOBAL_ADMIN:
        user = global_admin()
    else:
        user = staff(role, "KH")
    client = client_for(user)
    for url in (*PAGES, f"/buyer/factories/{factory.pk}/"):
        assert client.get(url).status_code == 403, url


def test_the_portal_answers_get_only():
    _, user = a_buyer()
    assert client_for(user).post("/buyer/").status_code == 405


# --- authorised, revoked, never authorised -------------------------------------------------------------------


def test_an_authorised_factory_is_listed_with_its_released_reports_and_plan():
    """R-ACC-1: name, country, stage, since when, released reports (links to their pages and the PDF), plan."""
    buyer, user = a_buyer()
    factory = FactoryBuilder(name="Angkor Garments", stage=2)
    grant(factory, buyer, at=datetime(2026, 2, 3, 10, tzinfo=UTC))
    the_cycle = cycle(factory)
    assessment = published_assessment(the_cycle, started_on=date(2026, 3, 9))
    Schedule.objects.create(assessment=assessment, planned_date=date(2026, 3, 2), days=2)
    progress_report(the_cycle, 1)
    progress_report(the_cycle, 2, status="submitted")  # not released: not shown
    plan_item(factory)
    html = _html(client_for(user).get("/buyer/"))
    assert "Angkor Garments" in html
    assert "Cambodia" in html
    assert "Stage 2" in html
    assert 'datetime="2026-02-03T10:00:00+00:00"' in html
    assert f'href="/assessments/{assessment.pk}/"' in html
    assert f'href="/api/v1/assessments/{assessment.pk}/report.pdf"' in html
    assert f'href="/factories/{factory.pk}/reports/1/"' in html
    assert f'href="/factories/{factory.pk}/reports/2/"' not in html
    assert f'href="/factories/{factory.pk}/plan/"' in html
    assert f'href="/buyer/factories/{factory.pk}/"' in html
    assert "2026-03-09" in html  # fieldwork start of a published assessment is fine
    assert "2026-03-02" not in html  # the planned date never shows (R-ASM-3)


def test_unreleased_and_hidden_reports_are_not_listed():
    """Planned assessments (R-ASM-3) and drafts or submitted progress reports do not exist for buyers."""
    buyer, user = a_buyer()
    factory = FactoryBuilder()
    grant(factory, buyer)
    first, second = cycle(factory, 1, status="closed"), cycle(factory, 2)
    hidden = planned_assessment(second)
    progress_report(second, 1, status="draft")
    progress_report(second, 2, status="submitted")
    client = client_for(user)
    for url in ("/buyer/", f"/buyer/factories/{factory.pk}/"):
        html = _html(client.get(url))
        assert f"/assessments/{hidden.pk}/" not in html
        assert "/reports/1/" not in html
        assert "/reports/2/" not in html
        assert "No report released yet." in html or "has not released a report yet" in html
    # an older cycle's released report is listed with its date, read through the API (its page shows the current
    # cycle only)
    old = progress_report(first, 2, released_at=datetime(2025, 11, 20, 8, tzinfo=UTC))
    html = _html(client.get(f"/buyer/factories/{factory.pk}/"))
    assert "Progress Report 2, cycle 1" in html
    assert f'href="/api/v1/cycles/{first.pk}/progress-reports/2/"' in html
    assert f'href="/factories/{factory.pk}/reports/2/"' not in html
    assert 'datetime="2025-11-20T08:00:00+00:00"' in html
    assert old.pk


def test_never_authorised_factories_do_not_exist_for_the_buyer():
    buyer, user = a_buyer()
    mine = authorised_factory_with_reports(buyer, name="Mine Ltd")
    other = authorised_factory_with_reports(BuyerBuilder(), name="Someone Else Ltd")
    client = client_for(user)
    html = _html(client.get("/buyer/"))
    assert "Mine Ltd" in html
    assert "Someone Else Ltd" not in html
    assert f"/assessments/{other.assessments.get().pk}/" not in html
    assert client.get(f"/buyer/factories/{mine.pk}/").status_code == 200
    assert client.get(f"/buyer/factories/{other.pk}/").status_code == 404
    assert client.get("/buyer/factories/999999/").status_code == 404  # the same answer as "not yours"


def test_revocation_closes_the_factory_at_once():
    """R-ACC-1: the moment the factory revokes, it leaves the list and its portal page answers 404."""
    buyer, user = a_buyer()
    factory = authorised_factory_with_reports(buyer, name="Revoking Mills")
    assessment = factory.assessments.get()
    client = client_for(user)
    assert "Revoking Mills" in _html(client.get("/buyer/"))
    assert client.get(f"/buyer/factories/{factory.pk}/").status_code == 200
    authorisation_revoke(authorisation_id=factory.authorisations.get().pk, actor=factory_user(factory))
    html = _html(client.get("/buyer/"))
    assert "Revoking Mills" not in html
    assert f"/assessments/{assessment.pk}/" not in html
    assert "No factory shares its reports with you yet." in html
    assert client.get(f"/buyer/factories/{factory.pk}/").status_code == 404
    assert client.get(f"/factories/{factory.pk}/reports/1/").status_code == 404  # the linked pages close too
    assert client.get(f"/assessments/{assessment.pk}/").status_code == 404
    # granted again: back
    grant(factory, buyer)
    assert client.get(f"/buyer/factories/{factory.pk}/").status_code == 200


def test_the_empty_state_explains_authorisation_and_links_to_the_request_page():
    _, user = a_buyer()
    html = _html(client_for(user).get("/buyer/"))
    assert "No factory shares its reports with you yet." in html
    assert "A factory grants you access from its Buyers page" in html
    assert 'href="/factories/buyers/request-access/"' in html


# --- reads (R-ACC-2) -----------------------------------------------------------------------------------------


def test_portal_pages_log_nothing_and_opening_a_report_from_them_logs_exactly_one_read():
    from tests.assessments.builders import published

    assessment = published()
    factory = assessment.factory
    buyer, user = a_buyer()
    grant(factory, buyer)
    client = client_for(user)
    home = _html(client.get("/buyer/"))
    page = _html(client.get(f"/buyer/factories/{factory.pk}/"))
    _html(client.get("/buyer/reads/"))
    assert BuyerRead.objects.count() == 0
    links = set(re.findall(r'href="(/assessments/\d+/)"', home)) | set(re.findall(r'href="(/assessments/\d+/)"', page))
    assert links == {f"/assessments/{assessment.pk}/"}
    _html(client.get(links.pop()))
    read = BuyerRead.objects.get()
    assert (read.user, read.buyer, read.factory, read.kind, read.object_id, read.channel) == (
        user, buyer, factory, "assessment_report", assessment.pk, "web"
    )  # fmt: skip


def test_opening_a_released_progress_report_from_the_portal_logs_one_read():
    from factories.services.cycles import cycle_start

    factory = FactoryBuilder()
    the_cycle = cycle_start(factory_id=factory.pk, on=date(2026, 1, 5))
    from advisory.services.reports import report_get

    report = report_get(cycle=the_cycle, number=1)
    ProgressReport.objects.filter(pk=report.pk).update(
        status="released", submitted_at=timezone.now(), released_at=timezone.now()
    )
    buyer, user = a_buyer()
    grant(factory, buyer)
    client = client_for(user)
    html = _html(client.get(f"/buyer/factories/{factory.pk}/"))
    link = f"/factories/{factory.pk}/reports/1/"
    assert f'href="{link}"' in html
    assert BuyerRead.objects.count() == 0
    _html(client.get(link))
    assert list(BuyerRead.objects.values_list("kind", "object_id")) == [("progress_report", report.pk)]


def test_the_read_history_lists_the_users_own_reads_only():
    buyer, user = a_buyer()
    colleague = buyer_user(buyer)
    stranger = buyer_user(BuyerBuilder())
    shared = authorised_factory_with_reports(buyer, name="Still Shared Co")
    gone = authorised_factory_with_reports(buyer, name="Gone Away Co")
    BuyerReadBuilder(user=user, factory=shared, kind="assessment_report")
    BuyerReadBuilder(user=user, factory=gone, kind="improvement_plan", channel="api")
    BuyerReadBuilder(user=colleague, factory=shared, kind="progress_report")
    BuyerReadBuilder(user=stranger, factory=FactoryBuilder(name="Stranger Co"), kind="factory_profile")
    authorisation_revoke(authorisation_id=gone.authorisations.get().pk, actor=factory_user(gone))
    html = _html(client_for(user).get("/buyer/reads/"))
    assert "Assessment report" in html
    assert "Improvement plan" in html
    assert "Progress report" not in html  # the colleague's read
    assert "Stranger Co" not in html
    assert f'href="/buyer/factories/{shared.pk}/"' in html
    assert f'href="/buyer/factories/{gone.pk}/"' not in html  # no longer shared: named, not linked
    assert "no longer shared with you" in html
    assert BuyerRead.objects.count() == 4  # reading the history is not a read


def test_the_read_history_is_paginated():
    buyer, user = a_buyer()
    factory = authorised_factory_with_reports(buyer)
    for _ in range(26):
        BuyerReadBuilder(user=user, factory=factory)
    client = client_for(user)
    assert _html(client.get("/buyer/reads/")).count("<time") == 25
    assert _html(client.get("/buyer/reads/?page=2")).count("<time") == 1


# --- what is new since the previous visit --------------------------------------------------------------------


def _news(html: str) -> str:
    start = html.index('id="new"')
    return html[start : html.index('id="factories"')]


def _factories(html: str) -> str:
    return html[html.index('id="factories"') :]


def test_whats_new_counts_from_the_previous_visit_and_stays_within_a_visit():
    buyer, user = a_buyer()
    t0 = datetime(2026, 5, 4, 9, tzinfo=UTC)
    with time_machine.travel(t0 - timedelta(days=60), tick=False):
        factory = FactoryBuilder(name="Lotus Apparel")
        grant(factory, buyer)
        first, second = cycle(factory, 1, status="closed"), cycle(factory, 2)
    old = published_assessment(first, published_at=t0 - timedelta(days=45))
    client = client_for(user)
    with time_machine.travel(t0, tick=False):
        news = _news(_html(client.get("/buyer/")))
        # no earlier visit in this browser: the last 30 days; the grant and the report are older
        assert "no record of an earlier visit" in news
        assert "Nothing new since your last visit." in news
    recent = published_assessment(second, published_at=t0 + timedelta(hours=1))
    with time_machine.travel(t0 + timedelta(hours=1, minutes=5), tick=False):
        plan_item(factory, "Drinking water")
        progress_report(second, 1, released_at=t0 + timedelta(hours=1, minutes=5))
    with time_machine.travel(t0 + timedelta(hours=2), tick=False):  # a new visit
        news = _news(_html(client.get("/buyer/")))
        assert "Changes after your previous visit" in news
        assert f'href="/assessments/{recent.pk}/"' in news
        assert f'href="/assessments/{old.pk}/"' not in news
        assert "Progress Report 1 of Lotus Apparel released." in news
        assert "The improvement plan of Lotus Apparel changed" in news
    with time_machine.travel(t0 + timedelta(hours=2, minutes=10), tick=False):  # same visit: page 2, filters…
        news = _news(_html(client.get("/buyer/?q=lotus")))
        assert f'href="/assessments/{recent.pk}/"' in news
    with time_machine.travel(t0 + timedelta(hours=5), tick=False):  # the next visit: seen already
        news = _news(_html(client.get("/buyer/")))
        assert "Nothing new since your last visit." in news
        assert f"/assessments/{recent.pk}/" not in news


def test_first_visit_shows_the_last_30_days_and_new_grants():
    buyer, user = a_buyer()
    now = timezone.now()
    factory = FactoryBuilder(name="Fresh Grant Ltd")
    grant(factory, buyer, at=now - timedelta(days=2))
    the_cycle = cycle(factory)
    recent = published_assessment(the_cycle, published_at=now - timedelta(days=10))
    news = _news(_html(client_for(user).get("/buyer/")))
    assert "Fresh Grant Ltd now shares its reports with you." in news
    assert f'href="/assessments/{recent.pk}/"' in news


def test_whats_new_ignores_revoked_and_foreign_factories():
    buyer, user = a_buyer()
    revoked = authorised_factory_with_reports(buyer, name="Revoked Recently")
    authorised_factory_with_reports(BuyerBuilder(), name="Not Mine At All")
    authorisation_revoke(authorisation_id=revoked.authorisations.get().pk, actor=factory_user(revoked))
    news = _news(_html(client_for(user).get("/buyer/")))
    assert "Revoked Recently" not in news
    assert "Not Mine At All" not in news
    assert "Nothing new since your last visit." in news


# --- filters and pagination ----------------------------------------------------------------------------------


def test_filters_by_country_and_text():
    buyer, user = a_buyer()
    grant(FactoryBuilder(name="Phnom Penh Knits", country=country("KH")), buyer)
    grant(FactoryBuilder(name="Dhaka Denim", country=country("BD")), buyer)
    grant(FactoryBuilder(name="Chittagong Knits", country=country("BD")), buyer)
    client = client_for(user)
    html = _factories(_html(client.get("/buyer/?country=BD")))
    assert "Dhaka Denim" in html
    assert "Chittagong Knits" in html
    assert "Phnom Penh Knits" not in html
    html = _factories(_html(client.get("/buyer/?q=knits")))
    assert "Phnom Penh Knits" in html
    assert "Chittagong Knits" in html
    assert "Dhaka Denim" not in html
    html = _factories(_html(client.get("/buyer/?country=BD&q=knits")))
    assert "Chittagong Knits" in html
    assert "Dhaka Denim" not in html
    assert "Phnom Penh Knits" not in html
    html = _factories(_html(client.get("/buyer/?country=ZZ&q=dhaka")))  # an unknown country is ignored
    assert "Dhaka Denim" in html
    assert "Chittagong Knits" not in html
    html = _html(client.get("/buyer/?q=nothing-like-this"))
    assert "No factory matches these filters." in html
    # the country choices are the authorising factories' countries only
    assert 'value="BD"' in html
    assert 'value="KH"' in html
    assert 'value="JO"' not in html


def test_factories_are_paginated_25_a_page_keeping_the_filters():
    buyer, user = a_buyer()
    for n in range(27):
        grant(FactoryBuilder(name=f"Paged Factory {n:02d}"), buyer)
    client = client_for(user)
    first = _factories(_html(client.get("/buyer/?q=paged")))
    assert first.count('href="/buyer/factories/') == 25
    assert "Page 1 of 2" in first
    assert 'href="?q=paged&amp;page=2"' in first
    second = _factories(_html(client.get("/buyer/?q=paged&page=2")))
    assert second.count('href="/buyer/factories/') == 2
    assert "Paged Factory 26" in second
    assert "Paged Factory 00" not in second


# --- performance ---------------------------------------------------------------------------------------------


def test_the_portal_renders_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    buyer, user = a_buyer()
    for _ in range(2):
        authorised_factory_with_reports(buyer)
    client = client_for(user)
    client.get("/buyer/")  # the session exists from here on, as for every later visit
    with CaptureQueriesContext(connection) as small:
        _html(client.get("/buyer/"))
        _html(client.get(f"/buyer/factories/{buyer.authorisations.first().factory_id}/"))
    for _ in range(18):
        factory = authorised_factory_with_reports(buyer)
        closed = cycle(factory, 2, status="closed")
        published_assessment(closed)
        progress_report(closed, 1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = _html(client.get("/buyer/"))
        _html(client.get(f"/buyer/factories/{factory.pk}/"))
    assert html.count('href="/buyer/factories/') >= 20
    assert html.count("/report.pdf") == 38


# --- translatable text ---------------------------------------------------------------------------------------


def test_the_pages_text_goes_through_gettext(monkeypatch):
    """Every visible sentence is looked up in the catalogue: with a catalogue that marks each lookup, the
    portal's text appears marked and never raw."""
    real_gettext, real_ngettext = trans_real.DjangoTranslation.gettext, trans_real.DjangoTranslation.ngettext
    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", lambda self, m: f"⟦{real_gettext(self, m)}⟧")
    monkeypatch.setattr(
        trans_real.DjangoTranslation, "ngettext", lambda self, s, p, n: f"⟦{real_ngettext(self, s, p, n)}⟧"
    )
    buyer, user = a_buyer()
    client = client_for(user)
    with translation.override("en"):
        html = _html(client.get("/buyer/"))
        assert '<html lang="en"' in html
        assert "⟦Buyer portal⟧" in html
        assert "⟦No factory shares its reports with you yet.⟧" in html
        assert "⟦Ask a factory you source from for access⟧" in html
        assert "⟦Nothing new since your last visit.⟧" in html
        factory = authorised_factory_with_reports(buyer)
        BuyerReadBuilder(user=user, factory=factory, kind="assessment_report")
        html = _html(client.get(f"/buyer/factories/{factory.pk}/"))
        assert "⟦Released reports⟧" in html
        assert "⟦Improvement plan⟧" in html
        assert "⟦Assessment report⟧" in html
        html = _html(client.get("/buyer/reads/"))
        assert "⟦Your reads⟧" in html
        assert "⟦Web page⟧" in html
