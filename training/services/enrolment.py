"""Enrolment, participants, attendance and bought participant-days (R-TRN-1/2/4, R-CTY-3/4).

Capacity and the allowance hold under concurrency: the session row is locked (`select_for_update`) while its
seats are counted, then the factory's open cycle row while its participant-days are counted; the lock order is
always session → cycle, so two enrolments cannot deadlock.

R-CTY-4: a factory with no open service cycle (outside the programme, or between cycles) may still buy
training. Its enrolment is *paid only*: no cycle, no allowance check, every participant-day bought (the
programme invoices it). Inside a cycle, enrolment beyond the 25 included days plus the days bought for the
cycle (`TrainingPurchase`) is refused with the remaining figure in the message.
"""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from betterwork.accounts.policy import may
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.models import Factory, ServiceCycle
from factories.services.common import save_with_history
from factories.services.phases import require_modality_allowed
from training.allowances import participant_days_allowance
from training.models import Attendance, Enrolment, Participant, TrainingPurchase, TrainingSession


def _positive(value: Any, field: str = "participants") -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ApplicationError(_("Enrol at least one participant."), field=field)
    return number


def _clean_names(names: list[str] | None) -> list[str]:
    cleaned = [name.strip() for name in names or [] if name and name.strip()]
    if len({name.casefold() for name in cleaned}) != len(cleaned):
        raise ApplicationError(_("Each participant is named once."), field="names")
    return cleaned


def seats_taken(session: TrainingSession) -> int:
    return session.enrolments.aggregate(n=Sum("participants"))["n"] or 0


def enrol(
    *, actor: Any, session_id: int, factory_id: int, participants: int, names: list[str] | None = None,
    today: date | None = None,
) -> Enrolment:  # fmt: skip
    """Book `participants` seats of a session for a factory; uses participants × session days (R-TRN-2)."""
    participants = _positive(participants)
    names = _clean_names(names)
    if len(names) > participants:
        raise ApplicationError(_("Name at most %(n)s participants.") % {"n": participants}, field="names")
    with transaction.atomic():
        session = (
            TrainingSession.objects.select_for_update(of=("self",)).select_related("course__country")
            .filter(pk=session_id).first()
        )  # fmt: skip
        factory = Factory.objects.select_related("country").filter(pk=factory_id).first()
        if session is None:
            raise ApplicationError(_("Choose a session."), field="session")
        if factory is None:
            raise ApplicationError(_("Choose a factory."), field="factory")
        if not may(actor, "enrol_training", factory):
            raise NotPermitted(_("Only the factory's users and its country's programme staff enrol it."))
        if session.course.country_id != factory.country_id:
            raise ApplicationError(
                _("This session belongs to the %(country)s programme.") % {"country": session.course.country.name},
                field="session",
            )
        today = today or factory.country.local_today()
        if session.start_date < today:
            raise ApplicationError(
                _("This session started on %(day)s: it is past, choose a later one.") % {"day": session.start_date},
                field="session",
            )
        require_modality_allowed(factory=factory, on=session.start_date, modality=session.modality)
        if session.enrolments.filter(factory=factory).exists():
            raise ApplicationError(_("%(factory)s is already enrolled in this session.") % {"factory": factory.name},
                                   field="session")  # fmt: skip
        left = session.capacity - seats_taken(session)
        if left <= 0:
            raise ApplicationError(_("This session is full."), field="session")
        if participants > left:
            raise ApplicationError(
                _("Only %(left)s seat(s) are left in this session.") % {"left": left}, field="participants"
            )
        cycle = ServiceCycle.objects.select_for_update().filter(factory=factory, status="open").first()
        needed = participants * session.days
        if cycle is not None:
            remaining = participant_days_allowance(cycle).remaining
            if needed > remaining:
                raise ApplicationError(
                    _("This enrolment needs %(needed)s participant-days but only %(remaining)s remain in this cycle: "
                      "enrol fewer participants or buy extra participant-days.")
                    % {"needed": needed, "remaining": int(remaining)},
                    {"remaining": int(remaining)},
                    field="participants",
                )  # fmt: skip
        enrolment = Enrolment(
            session=session, factory=factory, cycle=cycle, participants=participants, participant_days=needed,
            paid_only=cycle is None, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        save_with_history(enrolment, actor=actor, reason="enrolled")
        Participant.objects.bulk_create([Participant(enrolment=enrolment, name=name) for name in names])
    return enrolment


def participants_name(*, actor: Any, enrolment_id: int, names: list[str]) -> list[Participant]:
    """Add names to an enrolment, up to its number of participants."""
    names = _clean_names(names)
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().select_related("factory").get(pk=enrolment_id)
        if not may(actor, "enrol_training", enrolment.factory):
            raise NotPermitted(_("Only the factory's users and its country's programme staff name participants."))
        known = {name.casefold() for name in enrolment.people.values_list("name", flat=True)}
        new = [name for name in names if name.casefold() not in known]
        if len(known) + len(new) > enrolment.participants:
            raise ApplicationError(
                _("This enrolment has %(n)s participant(s): %(named)s already named.")
                % {"n": enrolment.participants, "named": len(known)},
                field="names",
            )
        return Participant.objects.bulk_create([Participant(enrolment=enrolment, name=name) for name in new])


def attendance_record(
    *, actor: Any, session_id: int, day: date, present: dict[int, bool], today: date | None = None
) -> int:
    """Record who attended one day of a session (`present`: participant id → attended). Staff only (R-TRN-4).
    Someone not enrolled in the session is refused and nothing is saved. Returns how many marks were saved."""
    session = TrainingSession.objects.select_related("course__country").get(pk=session_id)
    if not may(actor, "manage", session):
        raise NotPermitted(_("Only the programme staff of the session's country take attendance."))
    if day not in session.dates:
        raise ApplicationError(
            _("Day %(day)s is not a day of this session (%(first)s to %(last)s).")
            % {"day": day, "first": session.start_date, "last": session.end_date},
            field="day",
        )
    if day > (today or session.course.country.local_today()):
        raise ApplicationError(_("Attendance is taken on the day or after, not before."), field="day")
    people = {p.pk: p for p in Participant.objects.filter(enrolment__session=session, pk__in=list(present))}
    strangers = [str(pk) for pk in present if pk not in people]
    if strangers:
        raise ApplicationError(
            _("Not enrolled in this session: participant %(ids)s.") % {"ids": ", ".join(strangers)},
            field="participant",
        )
    with transaction.atomic():
        for pk, attended in present.items():
            Attendance.objects.update_or_create(
                participant=people[pk], day=day, defaults={"present": bool(attended), "recorded_by": actor}
            )
    return len(present)


def purchase_record(
    *, actor: Any, factory_id: int, participant_days: int, invoice_number: str, amount: Any = None,
    currency: str = "",
) -> TrainingPurchase:  # fmt: skip
    """Extra participant-days bought for the factory's open cycle, with the programme's invoice (R-TRN-2)."""
    factory = Factory.objects.filter(pk=factory_id).first()
    if factory is None:
        raise ApplicationError(_("Choose a factory."), field="factory")
    if not may(actor, "buy_training", factory):
        raise NotPermitted(_("Only the country's advisors and programme manager record bought training."))
    days = _positive(participant_days, field="participant_days")
    if not invoice_number or not invoice_number.strip():
        raise ApplicationError(_("Give the invoice number."), field="invoice_number")
    cycle = factory.cycles.filter(status="open").first()
    if cycle is None:
        raise ApplicationError(
            _("%(factory)s has no open service cycle: its enrolments are paid one by one (R-CTY-4).")
            % {"factory": factory.name},
            field="factory",
        )
    purchase = TrainingPurchase(
        factory=factory, cycle=cycle, participant_days=days, invoice_number=invoice_number.strip(),
        amount=amount, currency=currency or factory.country.currency, created_by=actor,
    )  # fmt: skip
    try:
        with transaction.atomic():
            save_with_history(purchase, actor=actor, reason="bought")
    except IntegrityError:
        raise ApplicationError(_("This invoice number is already recorded."), field="invoice_number") from None
    return purchase
