"""The assessments list and the ranking of factories due for assessment (R-ASM-3, R-ASM-4)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Assessment, PriorityNote
from assessments.views import pages
from betterwork.accounts.models import Role
from tests.assessments.builders import (
    PLANNED,
    assessable_factory,
    in_progress,
    manager_of,
    planned_assessment,
    published,
    team,
)
from tests.assessments.pages.helpers import login, page, without_csrf
from tests.builders import BuyerAuthorisationBuilder, BuyerBuilder, buyer_user, factory_user, staff

pytestmark = pytest.mark.django_db
URL = "/assessments/"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_see_planned_assessments_with_date_and_assessors_and_the_ranking(client):
    """R-ASM-3/4: programme staff see the planned date and assessors; the ranking shows score, reasons, Plan."""
    planned = planned_assessment()
    waiting, _cycle = assessable_factory()
    manager = manager_of(planned)
    first = planned.assessors.order_by("pk").first()
    html = page(login(client, manager), URL)
    assert planned.factory.name in html
    assert str(PLANNED) in html
    assert (first.get_full_name() or first.get_username()) in html
    due = html.split('id="due"')[1]
    assert waiting.name in due
    assert "New to the programme (first cycle)." in due
    assert f"/assessments/plan/?factory={waiting.pk}" in due
    assert planned.factory.name not in due  # it has one planned already
    html = page(login(client, staff(Role.ADVISOR)), URL)
    assert str(PLANNED) in html
    assert waiting.name in html
    assert "/assessments/plan/?factory=" not in html  # advisors do not plan
    assert 'name="points"' not in html


def test_staff_filter_by_status(client):
    planned = planned_assessment()
    started = in_progress()
    login(client, manager_of(planned))
    html = page(client, URL + "?status=planned")
    assert '?status=in_progress">In progress</a> <span class="badge">1</span>' in html
    assert '?status=published">Published</a> <span class="badge">0</span>' in html
    assert f"/assessments/{planned.pk}/" in html
    assert f"/assessments/{started.pk}/" not in html
    html = page(client, URL + "?status=in_progress")
    assert f"/assessments/{planned.pk}/" not in html
    assert f"/assessments/{started.pk}/" in html


def test_the_factory_page_is_byte_identical_with_and_without_a_planned_assessment(client):
    """R-ASM-3: nothing on the factory user's list (no count, no empty-state text) betrays the planning."""
    factory, _cycle = assessable_factory()
    user = factory_user(factory)
    login(client, user)
    before = [without_csrf(page(client, URL + query)) for query in ("", "?status=planned", "?status=in_progress")]
    planned_assessment(factory=factory)
    client.force_login(user)
    after = [without_csrf(page(client, URL + query)) for query in ("", "?status=planned", "?status=in_progress")]
    assert before == after
    assert "Planned" not in after[0]


def test_factory_users_see_their_started_assessments_only(client):
    own = in_progress()
    other = in_progress(factory=assessable_factory()[0])
    html = page(login(client, factory_user(own.factory)), URL)
    assert f"/assessments/{own.pk}/" in html
    assert f"/assessments/{other.pk}/" not in html
    assert "Due for assessment" not in html
    assert str(PLANNED) in html  # started on (the day it started is no secret)
    assert "Assessors" not in html


def test_buyers_see_published_reports_of_authorising_factories(client):
    report = published()
    buyer = BuyerBuilder()
    BuyerAuthorisationBuilder(factory=report.factory, buyer=buyer)
    html = page(login(client, buyer_user(buyer)), URL)
    assert f"/assessments/{report.pk}/" in html
    html = page(login(client, buyer_user(BuyerBuilder())), URL)
    assert f"/assessments/{report.pk}/" not in html
    assert "No assessment report to show yet." in html


def test_pagination(client, monkeypatch):
    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    first = planned_assessment()
    planned_assessment(factory=assessable_factory()[0])
    login(client, manager_of(first))
    html = page(client, URL + "?status=planned")
    assert "Page 1 of 2" in html
    assert "status=planned&amp;page=2" in html
    assert "Page 2 of 2" in page(client, URL + "?status=planned&page=2")


def test_the_programme_manager_adds_a_priority_note(client):
    """R-ASM-4: stakeholder feedback or an override, with points and a reason; bad input shows on the field."""
    factory, _cycle = assessable_factory()
    manager, _a, _b = team()
    login(client, manager)
    response = client.post(URL, {"factory": factory.pk, "kind": "stakeholder", "points": 500, "reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ensure this value is less than or equal to 100." in html
    assert "This field is required." in html
    assert not PriorityNote.objects.exists()
    response = client.post(URL, {"factory": factory.pk, "kind": "stakeholder", "points": 20, "reason": "Union letter"})
    assert response.status_code == 302
    assert "+20: Stakeholder feedback: Union letter" in page(client, URL)


def test_others_may_not_post_priority_notes(client):
    factory, _cycle = assessable_factory()
    for user in (staff(Role.ADVISOR), factory_user(factory)):
        login(client, user)
        response = client.post(URL, {"factory": factory.pk, "kind": "override", "points": 20, "reason": "x"})
        assert response.status_code == 403
    assert not PriorityNote.objects.exists()
    assert not Assessment.objects.exists()


def test_the_list_renders_in_a_fixed_number_of_queries(client, django_assert_num_queries):
    """The same number of queries with one or three assessments and candidates (prefetches)."""
    first = planned_assessment()
    assessable_factory()
    manager = manager_of(first)
    login(client, manager)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        page(client, URL)
    planned_assessment(factory=assessable_factory()[0], on=PLANNED.replace(day=27))
    in_progress(factory=assessable_factory()[0], started_on=PLANNED.replace(day=13, month=5))
    assessable_factory()
    with django_assert_num_queries(len(one.captured_queries)):
        html = page(client, URL)
    assert html.count("/assessments/plan/?factory=") == 2
