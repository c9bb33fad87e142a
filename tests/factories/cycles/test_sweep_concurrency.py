"""Sweeps running at the same time (two beats, a command beside beat) still produce each effect once."""

import threading
from datetime import date

import pytest
from django.db import connection

from betterwork.common.models import Notification
from factories.models import MilestoneNotice, ServiceCycle
from factories.services.cycles import cycle_start
from factories.services.sweep import run_milestones
from tests.builders import FactoryBuilder, factory_user, staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_sweeps_notify_and_close_exactly_once():
    staff("programme_manager", "KH")
    advisor = staff("advisor", "KH")
    cycles = []
    for n in range(12):
        factory = FactoryBuilder(advisor=advisor)
        factory_user(factory)
        cycles.append(cycle_start(factory_id=factory.pk, on=date(2026, 1, 1 + n)))
    barrier, errors = threading.Barrier(4), []

    def sweep() -> None:
        try:
            barrier.wait()
            run_milestones(as_of=date(2027, 1, 5), batch_size=5)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    notices = list(MilestoneNotice.objects.values_list("milestone_id", "key"))
    assert len(notices) == len(set(notices))
    keys = list(Notification.objects.values_list("recipient_id", "key"))
    assert len(keys) == len(set(keys))
    assert ServiceCycle.objects.filter(status="closed").count() == 5  # those that began on Jan 1-5, 2026
    before = (MilestoneNotice.objects.count(), Notification.objects.count())
    run_milestones(as_of=date(2027, 1, 5))
    assert (MilestoneNotice.objects.count(), Notification.objects.count()) == before
