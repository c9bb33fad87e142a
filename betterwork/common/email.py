"""Templated email in the recipient's language, sent by a Celery task after the transaction commits.

Templates: `templates/email/<name>_subject.txt` and `templates/email/<name>_body.txt`. The context must
be JSON-serialisable (it travels through the broker).
"""

from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def render_email(name: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    context = {"site_url": settings.BETTERWORK["SITE_URL"], **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"email/{name}_subject.txt", context).split())
        body = render_to_string(f"email/{name}_body.txt", context)
    return subject, body


@shared_task(
    name="betterwork.common.email.send_templated_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_templated_email_task(to: list[str], name: str, context: dict[str, Any], language: str) -> None:
    subject, body = render_email(name, context, language)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def send_templated_email(*, to: list[str], name: str, context: dict[str, Any], language: str = "") -> None:
    """Queue the email once the surrounding transaction commits (never for a rolled-back change)."""
    transaction.on_commit(lambda: send_templated_email_task.delay(to, name, context, language))
