"""The proof world is built once per module inside a transaction that is rolled back afterwards.

Each test then runs in its own savepoint (pytest-django's `db`), so writes never leak between tests, and
nothing of this world survives into other test folders.
"""

import pytest
from django.db import transaction

from tests.proof.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
