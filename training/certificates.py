"""Certificates of attendance (R-TRN-4) as PDF, rendered with `betterwork.common.pdf` (WeasyPrint; nothing is
fetched while rendering, fonts for every script of the programme)."""

from django.utils import translation

from training.models import Participant


def days_attended(participant: Participant) -> list:
    return sorted(participant.attendance.filter(present=True).values_list("day", flat=True))


def certificate_pdf(participant: Participant, *, language: str | None = None) -> bytes:
    """The participant's certificate; only for someone who attended at least one day (the caller checks)."""
    from betterwork.common.pdf import render_pdf  # WeasyPrint loads in ~0.5 s: only when a certificate is made

    enrolment = participant.enrolment
    context = {
        "participant": participant,
        "enrolment": enrolment,
        "session": enrolment.session,
        "course": enrolment.session.course,
        "factory": enrolment.factory,
        "days": days_attended(participant),
    }
    return render_pdf(
        "training/certificate.html", context, language=language or translation.get_language(),
        title=str(context["course"]),
    ).content  # fmt: skip
