"""Two factories taking the last seats at once: one wins (R-TRN-1); one factory's two enrolments at once never
overspend its participant-days (R-TRN-2). PostgreSQL only: SQLite serialises every writer, so nothing races."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from betterwork.common.exceptions import ApplicationError
from factories.models import Country
from factories.services.cycles import cycle_start
from tests.builders import FactoryBuilder, factory_user, staff
from training.models import Enrolment
from training.services import course_create, enrol, session_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) race only on PostgreSQL; SQLite serialises writers"),
]  # fmt: skip


def _race(calls):
    barrier, results = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except ApplicationError as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _session(capacity, days=1):
    Country.objects.filter(code="KH").update(phase=Country.Phase.ONSITE)
    manager = staff("programme_manager", "KH")
    course = course_create(actor=manager, title="Chemicals", days=days)
    return session_create(actor=manager, course=course, start_date=timezone.localdate() + timedelta(days=9),
                          capacity=capacity)  # fmt: skip


def test_two_factories_taking_the_last_seats_leave_exactly_one_winner():
    session = _session(capacity=5)
    factories = [FactoryBuilder() for _ in range(2)]
    users = [factory_user(f) for f in factories]
    calls = [lambda f=f, u=u: enrol(actor=u, session_id=session.pk, factory_id=f.pk, participants=4)
             for f, u in zip(factories, users, strict=True)]  # fmt: skip
    results = _race(calls)
    assert sum(isinstance(r, Enrolment) for r in results) == 1
    assert [str(r) for r in results if isinstance(r, ApplicationError)] == ["Only 1 seat(s) are left in this session."]
    assert Enrolment.objects.filter(session=session).count() == 1


def test_one_factory_enrolling_twice_at_once_never_overspends_its_days():
    factory = FactoryBuilder()
    cycle_start(factory_id=factory.pk, on=timezone.localdate() - timedelta(days=20))
    user = factory_user(factory)
    first, second = _session(capacity=30, days=1), _session(capacity=30, days=1)
    calls = [lambda s=s: enrol(actor=user, session_id=s.pk, factory_id=factory.pk, participants=15)
             for s in (first, second)]  # fmt: skip
    results = _race(calls)
    assert sum(isinstance(r, Enrolment) for r in results) == 1
    assert "only 10 remain" in next(str(r) for r in results if isinstance(r, ApplicationError))
    assert sum(Enrolment.objects.values_list("participant_days", flat=True)) == 15
