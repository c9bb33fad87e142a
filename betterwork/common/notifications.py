"""The notification centre's email side: each notification is emailed at most once (a claim by
conditional update), in the recipient's language (the text was written in it)."""

from collections.abc import Callable, Iterable
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from betterwork.common.models import Notification


def notifications_email(keys: list[str]) -> int:
    sent = 0
    for notification in Notification.objects.filter(key__in=keys, emailed_at__isnull=True).select_related("recipient"):
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if claimed and notification.recipient.email:
            link = f"{settings.BETTERWORK['SITE_URL']}{notification.url}" if notification.url else ""
            send_mail(
                notification.title,
                "\n\n".join(part for part in (notification.body, link) if part),
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient.email],
            )
            sent += 1
    return sent


@shared_task(
    name="betterwork.common.notifications.email",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def notifications_email_task(keys: list[str]) -> int:
    return notifications_email(keys)


def notify(recipients: Iterable[Any], *, key: str, url: str, text: Callable[[], tuple[str, str]]) -> int:
    """Tell each recipient (in-app, then by email after commit) once per `key`. `text()` returns the title
    and body; it is called in each recipient's language. Returns how many recipients there were."""
    from betterwork.common.email import dispatch  # email.py imports this module

    notifications = []
    for recipient in {user.pk: user for user in recipients}.values():
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            title, body = text()
        notifications.append(
            Notification(recipient=recipient, key=f"{key}:{recipient.pk}", title=title[:200], body=body, url=url)
        )
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    keys = [n.key for n in notifications]
    transaction.on_commit(lambda: dispatch(notifications_email_task, keys))
    return len(notifications)
