"""Certificates of attendance (R-TRN-4) as PDF, rendered with WeasyPrint from an HTML template.

Nothing is fetched while rendering: the url_fetcher refuses every URL (no file, network or media access)."""

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from training.models import Participant


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"Certificates fetch nothing ({url}).")


def days_attended(participant: Participant) -> list:
    return sorted(participant.attendance.filter(present=True).values_list("day", flat=True))


def certificate_pdf(participant: Participant, *, language: str | None = None) -> bytes:
    """The participant's certificate; only for someone who attended at least one day (the caller checks)."""
    import weasyprint

    enrolment = participant.enrolment
    context = {
        "participant": participant,
        "enrolment": enrolment,
        "session": enrolment.session,
        "course": enrolment.session.course,
        "factory": enrolment.factory,
        "days": days_attended(participant),
    }
    with translation.override(language or translation.get_language()):
        html = render_to_string("training/certificate.html", context)
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=_refuse).write_pdf()
