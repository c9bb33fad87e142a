"""Releasing a progress report tells the factory's authorised buyers (issue 8, item 2: "notifications on
release"), as publishing an assessment report already does (assessments.services.feedback.assessment_publish).

Expected to fail until advisory.services.reports.report_release notifies (the change is in the buyer-portal
helper's report); strict, so the marker must go once it does."""

from datetime import date

import pytest
from django.utils import timezone

from advisory.models import ProgressReport
from advisory.services.reports import report_get, report_release
from betterwork.common.models import Notification
from factories.services.buyers import authorisation_revoke
from factories.services.cycles import cycle_start
from tests.builders import BuyerBuilder, FactoryBuilder, buyer_user, factory_user
from tests.reporting.buyer.helpers import grant

pytestmark = pytest.mark.django_db


def test_releasing_a_progress_report_notifies_the_authorised_buyers_only():
    factory = FactoryBuilder(name="Release Co")
    cycle = cycle_start(factory_id=factory.pk, on=date(2026, 1, 5))
    report = report_get(cycle=cycle, number=1)
    ProgressReport.objects.filter(pk=report.pk).update(status="submitted", submitted_at=timezone.now())
    authorised, revoked, stranger = BuyerBuilder(), BuyerBuilder(), BuyerBuilder()
    reader, gone, other = buyer_user(authorised), buyer_user(revoked), buyer_user(stranger)
    grant(factory, authorised)
    owner = factory_user(factory)
    authorisation_revoke(authorisation_id=grant(factory, revoked).pk, actor=owner)
    report_release(report_id=report.pk, actor=owner)
    notified = Notification.objects.filter(recipient__in=[reader, gone, other])
    assert list(notified.values_list("recipient", flat=True)) == [reader.pk]
    assert "Release Co" in notified.get().title
