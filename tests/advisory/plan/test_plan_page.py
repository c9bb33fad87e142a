"""The improvement plan in the browser: self-diagnosis, editing, completion, history, buyers, print and CSV."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from advisory.models import ImprovementPlanItem
from advisory.services.plan import item_add_self_diagnosis, item_update, items_from_sources
from assessments.models import Cluster
from factories.models import BuyerRead, Milestone
from factories.services.buyers import authorisation_revoke
from factories.services.cycles import cycle_start
from tests.builders import BuyerAuthorisationBuilder, FactoryBuilder, buyer_user, factory_user, staff, with_totp

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CHECKS = {"parties_agree": "on", "communicated_to_staff": "on", "evidence_reviewed": "on"}


@pytest.fixture
def world():
    factory = FactoryBuilder()
    advisor = staff("advisor", "KH")
    with_totp(advisor)
    return factory, factory_user(factory), advisor


def _item(world, **kwargs):
    factory, user, _ = world
    return item_add_self_diagnosis(factory=factory, actor=user, cluster=Cluster.objects.get(code="OSH"), option=1,
                                   **kwargs)  # fmt: skip


def _url(factory, rest=""):
    return f"/factories/{factory.pk}/plan/{rest}"


def test_the_empty_plan_explains_self_diagnosis_and_the_factory_builds_it(client, world):
    factory, user, _ = world
    client.force_login(user)
    page = client.get(_url(factory)).content.decode()
    assert "the factory diagnoses itself" in page
    assert 'aria-current="page">Plan<' in page
    assert "<optgroup" in page

    body = {"cluster": "OSH", "option": "OSH:1", "action": "Unlock the exits", "responsible": "HR manager",
            "target_date": str(TODAY + timedelta(days=10))}  # fmt: skip
    assert client.post(_url(factory), body).status_code == 302
    assert client.post(_url(factory), {"cluster": "WT", "text": "Overtime records"}).status_code == 302
    assert set(ImprovementPlanItem.objects.values_list("source", "cluster", "option__number", "text")) == {
        ("self_diagnosis", "WT", None, "Overtime records"), ("self_diagnosis", "OSH", 1, "")}  # fmt: skip
    page = client.get(_url(factory)).content.decode()
    assert "Unlock the exits" in page
    assert "Overtime records" in page
    assert "0 of 2 items completed." in page
    assert "History" not in page  # history is for staff


def test_the_form_refuses_a_foreign_option_and_a_past_target(client, world):
    factory, user, _ = world
    client.force_login(user)
    response = client.post(_url(factory), {"cluster": "WT", "option": "OSH:1"})
    assert response.status_code == 200
    assert "belongs to another cluster" in response.content.decode()
    response = client.post(_url(factory), {"cluster": "WT", "text": "x", "target_date": "2000-01-01"})
    assert response.status_code == 200
    assert "cannot be before" in response.content.decode()
    assert not ImprovementPlanItem.objects.exists()


def test_filters_group_and_assessment_items_show_their_critical_issue(client, world):
    factory, user, _ = world
    _item(world, action="Unlock")
    items_from_sources(factory=factory, source="assessment",
                       entries=[{"cluster": "WT", "text": "Wages unpaid", "critical_issue": "OSH-2",
                                 "reference": "finding:1"}])  # fmt: skip
    client.force_login(user)
    page = client.get(_url(factory)).content.decode()
    assert "Critical issue OSH-2" in page
    assert "Unlock" in page
    page = client.get(_url(factory), {"source": "assessment"}).content.decode()
    assert "Wages unpaid" in page
    assert "Unlock" not in page


def test_the_factory_edits_an_item_in_place(client, world):
    factory, user, _ = world
    item = _item(world)
    client.force_login(user)
    prefix = f"i{item.pk}-"
    response = client.post(_url(factory, f"items/{item.pk}/edit/"),
                           {prefix + "action": "New locks", prefix + "responsible": "Ms Dara"})  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.action, item.responsible) == ("New locks", "Ms Dara")


def test_the_advisor_completes_in_the_browser_and_the_factory_cannot(client, world):
    factory, user, advisor = world
    item = _item(world)
    prefix = {f"c{item.pk}-{k}": v for k, v in CHECKS.items()}
    client.force_login(user)
    assert "Mark completed" not in client.get(_url(factory)).content.decode()
    assert client.post(_url(factory, f"items/{item.pk}/complete/"), prefix).status_code == 403
    item.refresh_from_db()
    assert item.status == "open"

    client.force_login(advisor)
    assert "Mark completed" in client.get(_url(factory)).content.decode()
    missing = {k: v for k, v in prefix.items() if not k.endswith("evidence_reviewed")}
    client.post(_url(factory, f"items/{item.pk}/complete/"), missing)
    item.refresh_from_db()
    assert item.status == "open"
    response = client.post(_url(factory, f"items/{item.pk}/complete/"), prefix | {f"c{item.pk}-note": "Seen"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.completed_by, item.completion_note) == ("completed", advisor, "Seen")
    assert "1 of 1 items completed." in client.get(_url(factory)).content.decode()


def test_the_advisor_defers_to_the_next_assessment(client, world):
    factory, _, advisor = world
    item = _item(world)
    client.force_login(advisor)
    assert client.post(_url(factory, f"items/{item.pk}/verify-next-assessment/")).status_code == 302
    item.refresh_from_db()
    assert item.status == "verify_next_assessment"


def test_staff_see_who_changed_what(client, world):
    factory, user, advisor = world
    item = _item(world)
    item_update(item_id=item.pk, actor=user, responsible="Ms Dara")
    client.force_login(advisor)
    page = client.get(_url(factory)).content.decode()
    assert "<summary>History</summary>" in page
    assert user.username in page
    assert "responsible" in page


def test_outsiders_get_404(client, world):
    factory, _, _ = world
    item = _item(world)
    vn_advisor = staff("advisor", "VN")
    with_totp(vn_advisor)
    for outsider in (factory_user(FactoryBuilder()), vn_advisor):
        client.force_login(outsider)
        assert client.get(_url(factory)).status_code == 404
        assert client.get(f"/factories/{factory.pk}/plan.csv").status_code == 404
        assert client.post(_url(factory, f"items/{item.pk}/complete/"), {}).status_code == 404


def test_an_authorised_buyer_reads_the_plan_read_only_until_revoked(client, world):
    factory, user, _ = world
    _item(world, action="Unlock")
    grant = BuyerAuthorisationBuilder(factory=factory)
    reader = buyer_user(grant.buyer)
    client.force_login(reader)
    page = client.get(_url(factory)).content.decode()
    assert "Unlock" in page
    assert "Add the issue" not in page
    assert "<summary>Edit</summary>" not in page
    assert BuyerRead.objects.filter(user=reader, kind="improvement_plan", channel="web").count() == 1
    assert client.post(_url(factory), {"cluster": "WT", "text": "x"}).status_code == 403
    authorisation_revoke(authorisation_id=grant.pk, actor=user)
    assert client.get(_url(factory)).status_code == 404


def test_the_page_says_when_the_factory_did_not_self_diagnose(client, world):
    factory, user, _ = world
    cycle = cycle_start(factory_id=factory.pk, on=date(2026, 1, 5))
    client.force_login(user)
    assert "did not complete its self-diagnosis" not in client.get(_url(factory)).content.decode()
    Milestone.objects.filter(cycle=cycle, kind="assessment").update(state="done", done_at=timezone.now())
    assert "The factory did not complete its self-diagnosis." in client.get(_url(factory)).content.decode()
    assert "did not complete its self-diagnosis" in client.get(_url(factory, "print/")).content.decode()


def test_print_view_and_csv_export(client, world):
    factory, user, _ = world
    _item(world, action="=HYPERLINK(1)", responsible="HR manager")
    client.force_login(user)
    page = client.get(_url(factory, "print/")).content.decode()
    assert "Improvement plan of" in page
    assert 'class="tabs"' not in page
    response = client.get(f"/factories/{factory.pk}/plan.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Cluster", "Source", "Standard issue", "Issue"]
    assert rows[1][0:3] == ["OSH", "Self-diagnosis", "1"]
    assert rows[1][5:7] == ["'=HYPERLINK(1)", "HR manager"]
    assert rows[1][-1] == "Open"
    assert len(rows) == 2


def test_xlsx_export(client, world):
    from openpyxl import load_workbook

    factory, user, _ = world
    _item(world, action="Unlock")
    client.force_login(user)
    response = client.get(f"/factories/{factory.pk}/plan.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("Cluster", "Source")
    assert rows[2][0] == "OSH"
    assert rows[2][5] == "Unlock"


def test_the_staff_plan_page_with_histories_keeps_its_query_count(client, django_assert_max_num_queries):
    from advisory.services.plan import item_add_self_diagnosis
    from assessments.models import Cluster
    from tests.builders import FactoryBuilder, factory_user, staff, with_totp

    factory = FactoryBuilder()
    user, advisor = factory_user(factory), staff("advisor", "KH")
    with_totp(advisor)
    client.force_login(advisor)

    def add(n):
        for k in range(n):
            item_add_self_diagnosis(
                factory=factory, actor=user, cluster=Cluster.objects.get(code="WT"), text=f"Issue {k}"
            )

    add(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        assert client.get(f"/factories/{factory.pk}/plan/").status_code == 200
    add(8)
    with django_assert_max_num_queries(len(two)):
        page = client.get(f"/factories/{factory.pk}/plan/")
    assert page.content.decode().count("Issue ") >= 10
