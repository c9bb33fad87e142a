"""The notification centre: each user sees and marks only their own; emails go out once."""

import pytest
from django.core import mail

from betterwork.common.models import Notification
from betterwork.common.notifications import notifications_email_task
from tests.builders import FactoryBuilder, factory_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_users():
    a, b = factory_user(FactoryBuilder()), factory_user(FactoryBuilder())
    Notification.objects.create(recipient=a, key="k1", title="Progress Report 1 is due", url="/")
    Notification.objects.create(recipient=a, key="k2", title="Read", read_at="2026-01-01T00:00Z")
    Notification.objects.create(recipient=b, key="k1", title="Someone else's")
    return a, b


def test_the_api_lists_only_the_callers_notifications(api_client, two_users):
    a, b = two_users
    api_client.force_authenticate(a)
    titles = [n["title"] for n in api_client.get("/api/v1/notifications/").json()["results"]]
    assert sorted(titles) == ["Progress Report 1 is due", "Read"]
    assert api_client.get("/api/v1/notifications/?read_at__isnull=true").json()["count"] == 1
    other = Notification.objects.get(recipient=b)
    assert api_client.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    assert Notification.objects.get(recipient=b).read_at is None


def test_marking_read_through_the_api_and_the_page(api_client, client, two_users):
    a, b = two_users
    api_client.force_authenticate(a)
    assert api_client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert not Notification.objects.filter(recipient=a, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=b, read_at__isnull=True).count() == 1

    client.force_login(b)
    page = client.get("/notifications/")
    assert "Someone else&#x27;s" in page.content.decode()
    assert ">1</span>" in page.content.decode()  # the unread badge in the header
    client.post("/notifications/read/", {"id": Notification.objects.get(recipient=b).pk})
    assert not Notification.objects.filter(recipient=b, read_at__isnull=True).exists()


def test_the_empty_state_says_what_arrives_here(client):
    client.force_login(factory_user(FactoryBuilder()))
    assert "No notifications yet" in client.get("/notifications/").content.decode()


def test_each_notification_is_emailed_once_even_if_the_task_runs_twice(two_users):
    notifications_email_task(["k1", "k2"])
    notifications_email_task(["k1", "k2"])
    assert sorted(m.subject for m in mail.outbox) == ["Progress Report 1 is due", "Read", "Someone else's"]
