"""With the broker down, writes still succeed and nothing is lost: the outbox sends once it can."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from betterwork.common import email as email_module
from betterwork.common.email import email_deliver, outbox_flush_task, send_templated_email
from betterwork.common.models import OutboxEmail

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


class BrokerDown(Exception):
    pass


def _queue(django_capture_on_commit_callbacks, monkeypatch, *, broker_up: bool):
    def delay(*args):
        if not broker_up:
            raise BrokerDown("connection refused")
        return email_deliver(*args)

    monkeypatch.setattr(email_module.email_deliver_task, "delay", delay)
    with django_capture_on_commit_callbacks(execute=True):
        return send_templated_email(
            to=["manager@example.org"], name="registration_to_review",
            context={"factory": "Lotus", "country": "Cambodia", "review_path": "/x/"},
        )  # fmt: skip


def test_with_the_broker_up_the_email_goes_at_once(django_capture_on_commit_callbacks, monkeypatch):
    email = _queue(django_capture_on_commit_callbacks, monkeypatch, broker_up=True)
    assert [m.subject for m in mail.outbox] == ["New registration to review: Lotus"]
    assert OutboxEmail.objects.get(pk=email.pk).sent_at is not None


def test_with_the_broker_down_the_write_succeeds_and_the_sweep_sends_it_once(
    django_capture_on_commit_callbacks, monkeypatch
):
    email = _queue(django_capture_on_commit_callbacks, monkeypatch, broker_up=False)
    assert mail.outbox == []
    assert OutboxEmail.objects.get(pk=email.pk).sent_at is None
    assert outbox_flush_task() == 0  # too recent: its own task may still come
    OutboxEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    assert outbox_flush_task() == 1
    assert outbox_flush_task() == 0
    assert len(mail.outbox) == 1
    assert not email_deliver(email.pk)  # a late task finds it claimed


def test_a_registration_posted_while_the_broker_is_down_is_saved(api_client, monkeypatch):
    from factories.models import Registration

    def down(*args):
        raise BrokerDown("connection refused")

    monkeypatch.setattr(email_module.email_deliver_task, "delay", down)
    response = api_client.post(
        "/api/v1/registrations/",
        {"factory_name": "Broker Down Garments", "country": "KH", "sector": "apparel", "address": "Phnom Penh",
         "workers": 300, "women_percent": 70, "contact_name": "Dara", "contact_email": "dara@example.org"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert Registration.objects.filter(factory_name="Broker Down Garments").exists()
    assert OutboxEmail.objects.filter(sent_at__isnull=True).exists()


def test_publishing_to_an_unreachable_redis_fails_fast():
    """A real Redis client against a closed port: `dispatch` gives up within seconds instead of hanging."""
    code = (
        "import time; from betterwork.common.email import dispatch; from betterwork.common.tasks import heartbeat;"
        "t=time.monotonic(); ok=dispatch(heartbeat); print(ok, round(time.monotonic()-t, 1))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "betterwork.settings.test", "REDIS_URL": "redis://127.0.0.1:9/0"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1].split()[0] == "False", result.stdout + result.stderr
    assert time.monotonic() - started < 30
