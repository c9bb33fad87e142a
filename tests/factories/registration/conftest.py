"""Shared input of the registration tests."""

import pytest

VALID = {
    "factory_name": "Lotus Stitch (Cambodia) Co., Ltd.",
    "country": "KH",
    "sector": "apparel",
    "address": "Street 271, Phnom Penh",
    "workers": 1200,
    "women_percent": 81.5,
    "contact_name": "Sophea Chan",
    "contact_email": "sophea@lotus.example",
    "contact_phone": "+855 12 345 678",
    "buyers": ["Acme Apparel", "Zenith Retail"],
    "os_id": "KH2026001ABC",
}


@pytest.fixture
def valid() -> dict:
    return dict(VALID)


@pytest.fixture
def valid_form() -> dict:
    """The page's form fields: buyers as one per line."""
    return {**VALID, "buyers": "Acme Apparel\n\n  Zenith Retail  \nAcme Apparel"}


@pytest.fixture
def eager_mail(settings, django_capture_on_commit_callbacks):
    """Emails leave through Celery after commit: run both at once."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return django_capture_on_commit_callbacks
