"""Industry seminars (R-TRN-3): programme factories join (4 per cycle, up to 80 participants per seminar) and,
after a seminar they took part in, enter an action plan whose actions become improvement-plan items (source
`seminar`) through `factories.signals.plan_items_arrived`, inside the same transaction."""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Cluster
from betterwork.accounts.policy import may
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.models import Factory, ServiceCycle
from factories.services.common import save_with_history
from factories.services.phases import require_modality_allowed
from factories.signals import plan_items_arrived
from training.models import INCLUDED_SEMINARS, Seminar, SeminarAction, SeminarParticipation


def seminar_join(
    *, actor: Any, seminar_id: int, factory_id: int, participants: int, today: date | None = None
) -> SeminarParticipation:
    """A programme factory (one with an open cycle) takes part: at most 4 seminars per cycle, and the seminar's
    seats (at most 80) are not overbooked. Locks the seminar, then the cycle (same order as enrolment)."""
    try:
        participants = int(participants)
    except (TypeError, ValueError):
        participants = 0
    if participants < 1:
        raise ApplicationError(_("Enrol at least one participant."), field="participants")
    with transaction.atomic():
        seminar = Seminar.objects.select_for_update().select_related("country").filter(pk=seminar_id).first()
        factory = Factory.objects.select_related("country").filter(pk=factory_id).first()
        if seminar is None:
            raise ApplicationError(_("Choose a seminar."), field="seminar")
        if factory is None:
            raise ApplicationError(_("Choose a factory."), field="factory")
        if not may(actor, "enrol_training", factory):
            raise NotPermitted(_("Only the factory's users and its country's programme staff enrol it."))
        if seminar.country_id != factory.country_id:
            raise ApplicationError(
                _("This seminar belongs to the %(country)s programme.") % {"country": seminar.country.name},
                field="seminar",
            )
        if seminar.date < (today or factory.country.local_today()):
            raise ApplicationError(_("This seminar took place on %(day)s.") % {"day": seminar.date}, field="seminar")
        require_modality_allowed(factory=factory, on=seminar.date, modality=seminar.modality)
        taken = seminar.participations.aggregate(n=Sum("participants"))["n"] or 0
        left = seminar.capacity - taken
        if participants > left:
            raise ApplicationError(
                _("An industry seminar takes at most %(max)s participants: %(left)s place(s) left.")
                % {"max": seminar.capacity, "left": max(left, 0)},
                field="participants",
            )
        cycle = ServiceCycle.objects.select_for_update().filter(factory=factory, status="open").first()
        if cycle is None:
            raise ApplicationError(
                _("Industry seminars are for programme factories: %(factory)s has no open service cycle.")
                % {"factory": factory.name},
                field="factory",
            )
        if seminar.participations.filter(factory=factory).exists():
            raise ApplicationError(_("%(factory)s already takes part in this seminar.") % {"factory": factory.name},
                                   field="seminar")  # fmt: skip
        if cycle.seminar_participations.count() >= INCLUDED_SEMINARS:
            raise ApplicationError(
                _("%(factory)s already takes part in %(n)s industry seminars this cycle, the most a cycle includes.")
                % {"factory": factory.name, "n": INCLUDED_SEMINARS},
                field="seminar",
            )
        participation = SeminarParticipation(
            seminar=seminar, factory=factory, cycle=cycle, participants=participants,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        save_with_history(participation, actor=actor, reason="joined")
    return participation


def action_plan_submit(
    *, actor: Any, participation_id: int, actions: list[dict[str, Any]], today: date | None = None
) -> list[SeminarAction]:
    """The factory's action plan after a seminar it took part in. Each action (`cluster`, `text`, `action`)
    becomes an improvement-plan item with source `seminar` and reference `seminar-action:<id>`."""
    participation = (
        SeminarParticipation.objects.select_related("seminar", "factory__country").filter(pk=participation_id).first()
    )
    if participation is None:
        raise ApplicationError(_("Choose the seminar the factory took part in."), field="participation")
    factory = participation.factory
    if not may(actor, "seminar_plan", factory):
        raise NotPermitted(_("Only the factory and its advisor enter its seminar action plan."))
    if participation.seminar.date > (today or factory.country.local_today()):
        raise ApplicationError(_("The action plan is entered at the end of the seminar."), field="participation")
    if not actions:
        raise ApplicationError(_("Enter at least one action."), field="actions")
    clusters = Cluster.objects.in_bulk([a.get("cluster") for a in actions if isinstance(a.get("cluster"), str)])
    rows = []
    for number, entry in enumerate(actions, start=1):
        cluster = entry.get("cluster")
        cluster = cluster if isinstance(cluster, Cluster) else clusters.get(cluster)
        text = (entry.get("text") or "").strip()
        if cluster is None:
            raise ApplicationError(_("Action %(n)s: choose one of the clusters.") % {"n": number}, field="actions")
        if not text:
            raise ApplicationError(_("Action %(n)s: say what the issue is.") % {"n": number}, field="actions")
        rows.append(SeminarAction(participation=participation, cluster=cluster, text=text[:500],
                                  action=(entry.get("action") or "").strip()))  # fmt: skip
    with transaction.atomic():
        saved = []
        for row in rows:
            row.save()
            saved.append(row)
        participation.action_plan_at = timezone.now()
        save_with_history(participation, actor=actor, reason="action plan", fields=["action_plan_at", "updated_at"])
        plan_items_arrived.send(
            sender=SeminarParticipation,
            factory=factory,
            source="seminar",
            entries=[
                {
                    "cluster": row.cluster,
                    "text": row.text,
                    "action": row.action,
                    "reference": row.reference,
                    "raised_on": participation.seminar.date,
                }
                for row in saved
            ],
            actor=actor,
        )
    return saved
