"""`/documents/...pdf` in the browser (R-RPT-5): a progress page that reloads itself (no script: a meta refresh,
CSP allows it) while the PDF is made, then the file; hidden → 404; anonymous → sign in; buyer reads logged."""

from datetime import date
from unittest import mock

import pytest
from django.test import Client

from betterwork.common.pdf import RenderedPdf
from factories.models import BuyerRead
from factories.services.cycles import cycle_start
from reporting.models.documents import RenderedDocument
from tests.assessments.builders import manager_of, published
from tests.builders import BuyerAuthorisationBuilder, BuyerBuilder, FactoryBuilder, buyer_user, factory_user
from tests.reporting.documents.conftest import body, login

pytestmark = pytest.mark.django_db
FAKE = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def fake():
    with mock.patch("betterwork.common.pdf.render_pdf", return_value=RenderedPdf(FAKE, 1, [])) as renders:
        yield renders


def test_the_progress_page_then_the_file(django_capture_on_commit_callbacks):
    assessment = published()
    client = login(Client(), manager_of(assessment))
    path = f"/documents/assessments/{assessment.pk}/report.pdf"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = client.get(path)
    assert page.status_code == 202
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "Making your document" in html
    assert "<script" not in html.split("</head>")[0]
    assert len(callbacks) == 1  # sent to the queue once the request commits
    callbacks[0]()
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="assessment-{assessment.pk}.pdf"'
    assert body(response) == FAKE


def test_a_failed_document_says_so_and_stops_reloading(fake, django_capture_on_commit_callbacks):
    fake.side_effect = RuntimeError("layout exploded")
    assessment = published()
    client = login(Client(), manager_of(assessment))
    path = f"/documents/assessments/{assessment.pk}/report.pdf"
    with django_capture_on_commit_callbacks(execute=True):
        client.get(path)
    document = RenderedDocument.objects.get()
    assert document.status == "failed"
    assert "layout exploded" in document.error
    page = client.get(path)
    assert page.status_code == 202
    html = page.content.decode()
    assert "could not be made" in html
    assert "http-equiv" not in html
    assert "layout exploded" not in html  # the reader gets no internals


def test_hidden_and_anonymous(django_capture_on_commit_callbacks):
    assessment = published()
    path = f"/documents/assessments/{assessment.pk}/report.pdf"
    assert login(Client(), factory_user(FactoryBuilder())).get(path).status_code == 404
    anonymous = Client().get(path)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert not RenderedDocument.objects.exists()


def test_plan_and_progress_report_pages_for_an_authorised_buyer(django_capture_on_commit_callbacks):
    cycle = cycle_start(factory_id=FactoryBuilder().pk, on=date(2026, 1, 5))
    buyer = BuyerBuilder()
    BuyerAuthorisationBuilder(factory=cycle.factory, buyer=buyer)
    client = login(Client(), buyer_user(buyer))
    path = f"/documents/factories/{cycle.factory_id}/improvement-plan.pdf"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(path).status_code == 202
    assert client.get(path).status_code == 200
    assert list(BuyerRead.objects.values_list("kind", "channel")) == [("improvement_plan", "web")]
    # Progress Report 1 is a draft: it does not exist for the buyer.
    assert client.get(f"/documents/cycles/{cycle.pk}/progress-reports/1/report.pdf").status_code == 404
