"""The milestone sweep (R-CYC-8): reminders before due dates, overdue notices, closing ended cycles and
the automatic steps. `manage.py run_milestones` and the Celery beat task run this same code.

Exactly once, however many sweeps run at the same time: each effect first inserts a MilestoneNotice
(unique per milestone and key) tagged with this sweep's id; only the notices this sweep inserted are
notified. State changes are conditional bulk updates (`WHERE state = 'planned'`), so a second sweep
finds nothing left to do. Batches keep the number of queries per batch constant.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from betterwork.accounts.models import Role, User
from betterwork.common.email import dispatch
from betterwork.common.models import Notification
from betterwork.common.notifications import notifications_email_task
from factories.models import Milestone, MilestoneNotice, ServiceCycle
from factories.signals import cycles_closed

M = Milestone.State
BATCH = 500


@dataclass
class SweepReport:
    reminders: int = 0
    overdue: int = 0
    cycles_closed: int = 0
    steps_done: int = 0
    notifications: int = 0
    batches: int = 0
    details: dict[str, int] = field(default_factory=dict)


def lead_days(kind: str) -> list[int]:
    leads = settings.BETTERWORK["REMINDER_LEAD_DAYS"]
    return sorted(leads.get(kind, leads["default"]))


def run_milestones(*, as_of: date, batch_size: int = BATCH) -> SweepReport:
    report = SweepReport()
    _complete_automatic_steps(as_of, report)
    _close_ended_cycles(as_of, report, batch_size)
    for kind in Milestone.Kind.values:
        leads = lead_days(kind)
        for n, lead in enumerate(leads):  # nearest first: a milestone first seen 2 days ahead gets one reminder
            window = (
                Milestone.objects.open()
                .filter(kind=kind, due_date__gte=as_of, due_date__lte=as_of + timedelta(days=lead))
                .exclude(notices__key__in=[f"reminder-{nearer}" for nearer in leads[:n]])
            )
            report.reminders += _notify(window, f"reminder-{lead}", as_of, report, batch_size)
    report.overdue += _notify(Milestone.objects.open().filter(due_date__lt=as_of), "overdue", as_of, report, batch_size)
    return report


def _complete_automatic_steps(as_of: date, report: SweepReport) -> None:
    """The initial advisory phase ends by the calendar (R-CYC-1)."""
    report.steps_done += Milestone.objects.filter(
        kind=Milestone.Kind.INITIAL_ADVISORY_END, state=M.PLANNED, due_date__lte=as_of
    ).update(state=M.DONE, done_at=timezone.now())


def _close_ended_cycles(as_of: date, report: SweepReport, batch_size: int) -> None:
    while True:
        with transaction.atomic():
            ids = list(
                _locked(ServiceCycle.objects.filter(status=ServiceCycle.Status.OPEN, end_date__lte=as_of)).values_list(
                    "pk", flat=True
                )[:batch_size]
            )
            if not ids:
                return
            closed = ServiceCycle.objects.filter(pk__in=ids, status=ServiceCycle.Status.OPEN).update(
                status=ServiceCycle.Status.CLOSED, updated_at=timezone.now()
            )
            Milestone.objects.filter(cycle_id__in=ids, kind=Milestone.Kind.CYCLE_END, state=M.PLANNED).update(
                state=M.DONE, done_at=timezone.now()
            )
            report.cycles_closed += closed
            report.batches += 1
            transaction.on_commit(lambda ids=ids: cycles_closed.send(sender=ServiceCycle, cycle_ids=ids))


def _locked(queryset: Any) -> Any:
    """Rows another sweep holds are skipped, not waited for (PostgreSQL); SQLite serialises writers anyway."""
    return (
        queryset.select_for_update(skip_locked=True)
        if transaction.get_connection().features.has_select_for_update_skip_locked
        else queryset
    )


def _notify(queryset: Any, key: str, as_of: date, report: SweepReport, batch_size: int) -> int:
    sent = 0
    candidates = queryset.exclude(notices__key=key).exclude(owner=Milestone.Owner.SYSTEM)
    while True:
        sweep = uuid.uuid4()
        with transaction.atomic():
            batch = list(_locked(candidates.order_by("pk")).values_list("pk", flat=True)[:batch_size])
            if not batch:
                return sent
            MilestoneNotice.objects.bulk_create(
                [MilestoneNotice(milestone_id=pk, key=key, sweep=sweep) for pk in batch], ignore_conflicts=True
            )
            won = (
                Milestone.objects.filter(notices__sweep=sweep)
                .select_related("cycle__factory__country", "cycle__factory__advisor")
                .order_by("pk")
            )
            notifications = _notifications_for(list(won), key, as_of)
            Notification.objects.bulk_create(notifications, ignore_conflicts=True)
            keys = [n.key for n in notifications]
            transaction.on_commit(lambda keys=keys: dispatch(notifications_email_task, keys))
            sent += len(won)
            report.notifications += len(notifications)
            report.batches += 1


def _notifications_for(milestones: list[Milestone], key: str, as_of: date) -> list[Notification]:
    """Who hears about each milestone: its owner. The assessment never reaches factory or buyer users
    (R-ASM-3): its owner is the programme manager."""
    countries = {m.cycle.factory.country_id for m in milestones}
    factories = {m.cycle.factory_id for m in milestones}
    advisors = {m.cycle.factory.advisor_id for m in milestones if m.cycle.factory.advisor_id}
    language = dict(User.objects.filter(pk__in=advisors).values_list("pk", "language"))
    managers: dict[str, list[int]] = defaultdict(list)
    for pk, country, lang in User.objects.filter(
        role=Role.PROGRAMME_MANAGER, country_id__in=countries, is_active=True
    ).values_list("pk", "country_id", "language"):
        managers[country].append(pk)
        language[pk] = lang
    factory_users: dict[int, list[int]] = defaultdict(list)
    for pk, factory, lang in User.objects.filter(
        role=Role.FACTORY, factory_id__in=factories, is_active=True
    ).values_list("pk", "factory_id", "language"):
        factory_users[factory].append(pk)
        language[pk] = lang
    notifications = []
    for milestone in milestones:
        factory = milestone.cycle.factory
        if milestone.owner == Milestone.Owner.FACTORY:
            recipients = factory_users[factory.pk]
        elif milestone.owner == Milestone.Owner.ADVISOR and factory.advisor_id:
            recipients = [factory.advisor_id]
        else:
            recipients = managers[factory.country_id]
        if (
            key == "overdue"
            and milestone.owner != Milestone.Owner.PROGRAMME_MANAGER
            and milestone.kind != Milestone.Kind.ASSESSMENT
        ):
            recipients = [*recipients, *managers[factory.country_id]]
        for recipient in dict.fromkeys(recipients):
            with translation.override(language.get(recipient) or settings.LANGUAGE_CODE):
                title = (
                    _("Overdue: %(milestone)s — %(factory)s")
                    if key == "overdue"
                    else _("Coming up: %(milestone)s — %(factory)s")
                ) % {"milestone": milestone.get_kind_display(), "factory": factory.name}
                body = _("Due on %(date)s.") % {"date": milestone.due_date.isoformat()}
            notifications.append(
                Notification(
                    recipient_id=recipient,
                    key=f"milestone:{milestone.pk}:{key}",
                    title=title[:200],
                    body=body,
                    url=f"/factories/{factory.pk}/",
                )
            )
    return notifications
