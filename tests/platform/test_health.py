"""/healthz: database, cache and broker; the worker's heartbeat is reported, not judged."""

from datetime import datetime

import pytest
from django.conf import settings

from betterwork import views
from betterwork.accounts.models import Role
from betterwork.common.models import Heartbeat
from betterwork.common.tasks import heartbeat
from tests.builders import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_ok(monkeypatch):
    """The broker probe is tested by the worker tests; here it answers without touching the broker."""
    monkeypatch.setattr(views, "_probe_broker", lambda: None)


def test_healthy(client, broker_ok):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "worker_last_heartbeat": None,
    }
    assert "no-cache" in response["Cache-Control"]


def test_real_broker_probe_answers(client):
    """With the configured broker (filesystem transport by default) the probe itself works."""
    response = client.get("/healthz")
    assert response.json()["broker"] == "ok", response.json()


def test_broker_failure_is_503(client, monkeypatch):
    def unreachable():
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(views, "_probe_broker", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"] == "error: ConnectionRefusedError"
    assert (body["database"], body["cache"]) == ("ok", "ok")
    assert "redis is down" not in response.content.decode()  # type only: no internals leak


def test_cache_failure_is_503(client, broker_ok, monkeypatch):
    def forgetful():
        raise RuntimeError("cache did not keep a value")

    monkeypatch.setattr(views, "_probe_cache", forgetful)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error: RuntimeError"


def test_only_get(client, broker_ok):
    assert client.post("/healthz").status_code == 405


def test_staff_without_totp_still_reach_healthz(client, broker_ok):
    client.force_login(staff(Role.ADVISOR, "KH"))
    assert client.get("/healthz").status_code == 200


def test_heartbeat_creates_then_increments(client, broker_ok):
    assert not Heartbeat.objects.exists()
    assert heartbeat.apply().get() == 1
    first = Heartbeat.objects.get(name="worker")
    assert first.count == 1

    assert heartbeat() == 2
    second = Heartbeat.objects.get(name="worker")
    assert second.count == 2
    assert second.beat_at >= first.beat_at
    assert Heartbeat.objects.count() == 1

    reported = client.get("/healthz").json()["worker_last_heartbeat"]
    assert datetime.fromisoformat(reported) == second.beat_at


def test_heartbeats_of_other_sources_are_not_the_worker(client, broker_ok):
    heartbeat("beat")
    assert Heartbeat.objects.get(name="beat").count == 1
    assert client.get("/healthz").json()["worker_last_heartbeat"] is None


@pytest.mark.django_db
def test_a_malformed_session_cookie_is_a_signed_out_visitor_not_a_server_error(client):
    """A cookie Django never issued (here with a NUL character, which PostgreSQL refuses) is ignored."""
    client.cookies[settings.SESSION_COOKIE_NAME] = "abc\x00defghijklmnop"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/factories/").status_code in (401, 403)
