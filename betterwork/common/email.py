"""Templated email in the recipient's language, through a transactional outbox.

`send_templated_email` writes an OutboxEmail row in the caller's transaction and, once it commits, asks a
worker to send it. If the broker cannot be reached, the request still succeeds (the failure is logged):
the beat task `outbox_flush` sends whatever is still unsent. Each email is claimed before sending, so
it goes out once however many workers or sweeps see it.

Templates: `templates/email/<name>_subject.txt` and `templates/email/<name>_body.txt`; the context
must be JSON-serialisable.
"""

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from betterwork.common.models import Notification, OutboxEmail
from betterwork.common.notifications import notifications_email

logger = logging.getLogger(__name__)
FLUSH_AFTER = timedelta(seconds=60)  # an email not sent by its own task within this is the sweep's


def render_email(name: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    context = {"site_url": settings.BETTERWORK["SITE_URL"], **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"email/{name}_subject.txt", context).split())
        body = render_to_string(f"email/{name}_body.txt", context)
    return subject, body


def send_templated_email(*, to: list[str], name: str, context: dict[str, Any], language: str = "") -> OutboxEmail:
    email = OutboxEmail.objects.create(to=to, template=name, context=context, language=language)
    transaction.on_commit(lambda: dispatch(email_deliver_task, email.pk))
    return email


def dispatch(task: Any, *args: Any) -> bool:
    """Publish a task; with the broker down, log and carry on (the beat sweep catches up)."""
    try:
        task.delay(*args)
    except Exception:  # any broker failure: the database row is the source of truth
        logger.warning("broker unavailable: %s will be sent by the next sweep", task.name, exc_info=True)
        return False
    return True


def email_deliver(email_id: int) -> bool:
    claimed = OutboxEmail.objects.filter(pk=email_id, sent_at__isnull=True).update(sent_at=timezone.now())
    if not claimed:
        return False
    email = OutboxEmail.objects.get(pk=email_id)
    subject, body = render_email(email.template, email.context, email.language)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, email.to)
    except OSError:
        OutboxEmail.objects.filter(pk=email_id).update(sent_at=None)  # release the claim: try again later
        raise
    return True


@shared_task(
    name="betterwork.common.email.deliver", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def email_deliver_task(email_id: int) -> bool:
    return email_deliver(email_id)


@shared_task(name="betterwork.common.email.outbox_flush")
def outbox_flush_task() -> int:
    """Send what no task sent (the broker was down, or a worker died): outbox emails and notifications."""
    cutoff = timezone.now() - FLUSH_AFTER
    stale = OutboxEmail.objects.filter(sent_at__isnull=True, created_at__lt=cutoff)
    sent = sum(email_deliver(pk) for pk in stale.values_list("pk", flat=True)[:500])
    keys = Notification.objects.filter(emailed_at__isnull=True, created_at__lt=cutoff).values_list("key", flat=True)
    return sent + notifications_email(list(keys[:500]))
