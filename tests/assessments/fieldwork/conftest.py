import pytest

from assessments.models import Assessment
from tests.assessments.builders import assessor_of, in_progress
from tests.builders import with_totp


@pytest.fixture
def assessment() -> Assessment:
    """An on-site assessment in progress (the full tool), started on 2026-04-20."""
    return in_progress()


@pytest.fixture
def assessor(assessment):
    user = assessor_of(assessment)
    with_totp(user)
    return user


@pytest.fixture
def assessor_client(client, assessor):
    client.force_login(assessor)
    return client
