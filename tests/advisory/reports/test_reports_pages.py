"""Progress-report pages (R-RPT-2/3/4, R-ACC-1/2): written, saved, submitted, signed off and released in the
browser; buyers read released reports only, and each read is logged."""

from datetime import date

import pytest
from django.utils import timezone

from advisory.models import ProgressReport
from advisory.services.plan import items_from_sources
from advisory.services.reports import questions, report_get
from factories.models import BuyerAuthorisation, BuyerRead, Milestone
from factories.services.cycles import cycle_start
from tests.builders import BuyerBuilder, FactoryBuilder, buyer_user, client_for, factory_user, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return cycle_start(factory_id=FactoryBuilder().pk, on=date(2026, 1, 5))


def _url(cycle, number=1):
    return f"/factories/{cycle.factory_id}/reports/{number}/"


def _complete_post(report, **extra):
    values = {"yes_no": "yes", "date": "2026-02-01", "text": "Written.", "multi_choice": []}
    data = {q["key"]: values[q["type"]] for q in questions(report) if q.get("required")}
    return {k: v for k, v in data.items() if v != []} | extra


def test_the_factory_writes_saves_submits_and_releases_pr1(cycle):
    user, advisor = factory_user(cycle.factory), staff("advisor", "KH")
    items_from_sources(factory=cycle.factory, source="assessment", entries=[
        {"cluster": "OSH", "text": "Exit locked", "critical_issue": "OSH-2", "reference": "finding:1"}])  # fmt: skip
    item = cycle.factory.improvement_plan.items.get()
    client = client_for(user)
    overview = client.get(f"/factories/{cycle.factory_id}/reports/")
    assert overview.status_code == 200
    assert "Progress Report 1" in overview.content.decode()
    page = client.get(_url(cycle))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="radio"' in html
    assert 'type="date"' in html
    assert "<textarea" in html
    assert "Counted from the improvement plan" in html
    assert "Save draft" in html

    report = ProgressReport.objects.get()
    data = _complete_post(report)
    first = sorted(data)[0]
    response = client.post(_url(cycle), {"do": "save", first: data[first]})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "draft"
    assert report.answers[first] in (True, "2026-02-01", "Written.")

    response = client.post(_url(cycle), {"do": "submit", first: data[first]})
    assert response.status_code == 200  # refused, with the missing questions marked
    assert response.content.decode().count("Answer this question before submitting.") == len(data) - 1
    assert ProgressReport.objects.get().status == "draft"

    response = client.post(_url(cycle), {**data, "critical_rectified": [str(item.pk)], "do": "submit"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.answers["critical_rectified"] == [item.pk]
    assert Milestone.objects.get(cycle=cycle, kind="progress_report_1").state == "done"
    html = client.get(_url(cycle)).content.decode()
    assert "Save draft" not in html
    assert "waiting" in html

    client.post(_url(cycle), {"do": "release"})
    assert ProgressReport.objects.get().status == "submitted"  # the advisor has not signed off yet
    assert client_for(advisor).post(_url(cycle), {"do": "sign_off", "item": item.pk, "note": "ok"}).status_code == 302
    assert client.post(_url(cycle), {"do": "release"}).status_code == 302
    assert ProgressReport.objects.get().status == "released"


def test_pr2_advisor_writes_and_the_manager_releases(cycle):
    advisor, manager = staff("advisor", "KH"), staff("programme_manager", "KH")
    report = report_get(cycle=cycle, number=2)
    client = client_for(advisor)
    assert client.post(_url(cycle, 2), {**_complete_post(report), "do": "submit"}).status_code == 302
    assert client.post(_url(cycle, 2), {"do": "release"}).status_code == 403
    manager_client = client_for(manager)
    assert "Release" in manager_client.get(_url(cycle, 2)).content.decode()
    assert manager_client.post(_url(cycle, 2), {"do": "release"}).status_code == 302
    assert ProgressReport.objects.get().status == "released"
    assert client_for(factory_user(cycle.factory)).post(_url(cycle, 2), {"do": "save"}).status_code == 403


def test_buyers_read_released_reports_only_and_each_read_is_logged(cycle):
    grant = BuyerAuthorisation.objects.create(factory=cycle.factory, buyer=BuyerBuilder(), granted_at=timezone.now())
    buyer = client_for(buyer_user(grant.buyer))
    report = report_get(cycle=cycle, number=1)
    assert buyer.get(_url(cycle)).status_code == 404
    assert "Progress Report 1" not in buyer.get(f"/factories/{cycle.factory_id}/reports/").content.decode()
    ProgressReport.objects.filter(pk=report.pk).update(
        status="released", submitted_at=timezone.now(), released_at=timezone.now()
    )
    page = buyer.get(_url(cycle))
    assert page.status_code == 200
    assert "Current improvement plan" in page.content.decode()
    read = BuyerRead.objects.get()
    assert (read.kind, read.object_id, read.channel) == ("progress_report", report.pk, "web")
    BuyerAuthorisation.objects.filter(pk=grant.pk).update(revoked_at=timezone.now())
    assert buyer.get(_url(cycle)).status_code == 404


def test_another_factory_gets_404(cycle):
    client = client_for(factory_user(FactoryBuilder()))
    assert client.get(_url(cycle)).status_code == 404
    assert client.get(f"/factories/{cycle.factory_id}/reports/").status_code == 404
