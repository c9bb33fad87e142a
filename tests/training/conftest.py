"""A KH factory in its first cycle, its user, the country's manager and advisor, and a two-day course."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from factories.models import Country
from factories.services.cycles import cycle_start
from tests.builders import FactoryBuilder, factory_user, staff
from training.services import course_create, session_create


def today():
    return Country.objects.get(code="KH").local_today()


def new_session(world, *, capacity=20, days=None, start=None, modality="onsite", course=None):
    return session_create(
        actor=world.manager, course=course or world.course, start_date=start or today() + timedelta(days=10),
        capacity=capacity, days=days, modality=modality,
    )  # fmt: skip


@pytest.fixture
def world(db):
    Country.objects.filter(code="KH").update(phase=Country.Phase.ONSITE)
    factory = FactoryBuilder()
    cycle = cycle_start(factory_id=factory.pk, on=timezone.localdate() - timedelta(days=30))
    manager = staff("programme_manager", "KH")
    world = SimpleNamespace(
        factory=factory, cycle=cycle, user=factory_user(factory), manager=manager, advisor=staff("advisor", "KH")
    )
    world.course = course_create(actor=manager, title="Fire safety", days=2, cluster="OSH", topic="Exits")
    return world
