"""The improvement plan (R-ADV-1..4): one per factory; items from self-diagnosis, assessments and seminars;
only the enterprise advisor completes an item, and only with the three checks."""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from advisory.models import ImprovementPlan, ImprovementPlanItem, SelfDiagnosisOption
from assessments.models import Cluster
from betterwork.accounts.policy import may
from betterwork.common.exceptions import ApplicationError, InvalidTransition, NotPermitted
from factories.models import Factory, Milestone, ServiceCycle
from factories.services.common import require, save_with_history
from factories.signals import cycles_closed, plan_items_arrived

Item = ImprovementPlanItem
S = Item.Status
EDITABLE = frozenset({"text", "action", "responsible", "target_date"})
CHECKS = ("parties_agree", "communicated_to_staff", "evidence_reviewed")


def plan_for(factory: Factory) -> ImprovementPlan:
    plan, _created = ImprovementPlan.objects.get_or_create(factory=factory)
    return plan


def _open_cycle(factory: Factory) -> ServiceCycle | None:
    return factory.cycles.filter(status=ServiceCycle.Status.OPEN).first()


def _check_target(target_date: date | None, raised_on: date) -> None:
    if target_date is not None and target_date < raised_on:
        raise ApplicationError(
            _("The target date cannot be before the item was raised (%(day)s).") % {"day": raised_on},
            field="target_date",
        )


def item_add_self_diagnosis(
    *, factory: Factory, actor: Any, cluster: Cluster, option: int | None = None, text: str = "", **fields: Any
) -> Item:
    """The factory's own diagnosis: a standard option of the cluster (its number) or its own words (R-ADV-2)."""
    require(actor, "keep_plan", factory)
    chosen = None
    if option is not None:
        chosen = SelfDiagnosisOption.objects.filter(cluster=cluster, number=option).first()
        if chosen is None:
            numbers = list(SelfDiagnosisOption.objects.filter(cluster=cluster).values_list("number", flat=True))
            raise ApplicationError(
                _("%(cluster)s has no option %(n)s: choose one of %(numbers)s, or describe the issue yourself.")
                % {"cluster": cluster.tr.name, "n": option, "numbers": ", ".join(map(str, numbers))},
                field="option",
            )
    if chosen is None and not text.strip():
        raise ApplicationError(_("Choose a standard issue or describe the issue."), field="text")
    unknown = sorted(set(fields) - EDITABLE)
    if unknown:
        raise ApplicationError(_("These cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)})
    today = timezone.localdate()
    _check_target(fields.get("target_date"), today)
    with transaction.atomic():
        item = Item(
            plan=plan_for(factory),
            cycle=_open_cycle(factory),
            source=Item.Source.SELF_DIAGNOSIS,
            cluster=cluster,
            option=chosen,
            text=text.strip(),
            raised_on=today,
            created_by=actor,
            **fields,
        )
        item.full_clean()
        save_with_history(item, actor=actor, reason="self-diagnosis")
    return item


def item_update(*, item_id: int, actor: Any, **changes: Any) -> Item:
    """Change the issue's wording, the action, the responsible person or the target date (not the status)."""
    with transaction.atomic():
        item = Item.objects.select_for_update(of=("self",)).select_related("plan__factory").get(pk=item_id)
        require(actor, "keep_plan", item.plan.factory)
        refused = sorted(set(changes) - EDITABLE)
        if refused:
            raise ApplicationError(
                _("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(refused)}, {"fields": refused}
            )
        if item.status == S.COMPLETED:
            raise ApplicationError(_("A completed item is closed: it no longer changes."))
        _check_target(changes.get("target_date"), item.raised_on)
        for field, value in changes.items():
            setattr(item, field, value)
        item.full_clean()
        save_with_history(item, actor=actor, reason="edited")
    return item


def item_transition(*, item_id: int, actor: Any, target: str, note: str = "", **checks: bool) -> Item:
    """Move an item: the factory and its advisor start work or reopen it; only the advisor completes it,
    with all three checks of R-ADV-4, or marks it "verify at next assessment"."""
    with transaction.atomic():
        item = Item.objects.select_for_update(of=("self",)).select_related("plan__factory").get(pk=item_id)
        factory = item.plan.factory
        if target in (S.COMPLETED, S.VERIFY_NEXT_ASSESSMENT):
            require_verifier(actor, factory)
        else:
            require(actor, "keep_plan", factory)
        if item.status == target:
            return item  # a retried request is a no-op
        if target not in Item.TRANSITIONS[item.status]:
            raise InvalidTransition(
                _("An item that is “%(status)s” cannot become “%(target)s”.")
                % {"status": item.get_status_display(), "target": S(target).label},
                {"allowed": sorted(Item.TRANSITIONS[item.status])},
            )
        if target == S.COMPLETED:
            missing = [name for name in CHECKS if checks.get(name) is not True]
            if missing:
                raise ApplicationError(
                    _("An item is completed only when all three hold (R-ADV-4): %(missing)s.")
                    % {"missing": ", ".join(missing)},
                    {name: [_("Confirm this check.")] for name in missing},
                )
            item.parties_agree = item.communicated_to_staff = item.evidence_reviewed = True
            item.completed_at, item.completed_by = timezone.now(), actor
        item.status, item.completion_note = target, note or item.completion_note
        item.full_clean()
        save_with_history(item, actor=actor, reason=f"→ {target}")
    return item


def require_verifier(actor: Any, factory: Factory) -> None:
    if not may(actor, "verify_plan", factory):
        raise NotPermitted(_("Only the factory's enterprise advisor completes an item or defers it."))


def items_from_sources(*, factory: Factory, source: str, entries: list[dict[str, Any]], actor: Any = None) -> int:
    """Items that arrive by themselves: every non-compliance of a finalised assessment (source
    `assessment`) or a seminar action plan (source `seminar`). Each entry names its `reference` (the
    finding or the seminar action), so a second delivery adds nothing. Returns how many were added."""
    plan, cycle, added = plan_for(factory), _open_cycle(factory), 0
    clusters = set(Cluster.objects.values_list("code", flat=True))
    for entry in entries:
        cluster = getattr(entry["cluster"], "pk", entry["cluster"])
        if cluster not in clusters:
            raise ApplicationError(_("There is no cluster %(code)s.") % {"code": cluster}, field="cluster")
        item = Item(
            plan=plan,
            cycle=cycle,
            source=source,
            cluster_id=cluster,
            text=entry["text"],
            action=entry.get("action", ""),
            critical_issue_id=entry.get("critical_issue"),
            question_code=entry.get("question", ""),
            compliance_point=entry.get("compliance_point", ""),
            reference=entry["reference"],
            raised_on=entry.get("raised_on") or timezone.localdate(),
            created_by=actor,
        )
        try:
            with transaction.atomic():
                save_with_history(item, actor=actor, reason=source)
        except IntegrityError:
            continue  # delivered before
        added += 1
    return added


@receiver(plan_items_arrived, dispatch_uid="advisory-plan-items-arrived")
def receive_plan_items(
    sender: Any, factory: Factory, source: str, entries: list[dict[str, Any]], actor: Any = None, **kwargs: Any
) -> None:
    items_from_sources(factory=factory, source=source, entries=entries, actor=actor)


def self_diagnosis_completed(plan: ImprovementPlan) -> bool:
    """R-ADV-3: did the factory self-diagnose anything before its first assessment took place? Compared on
    the day the item was raised (histories migrated from elsewhere keep their dates)."""
    first_assessment = (
        Milestone.objects.filter(cycle__factory_id=plan.factory_id, kind=Milestone.Kind.ASSESSMENT, state="done")
        .order_by("done_at")
        .values_list("done_at", flat=True)
        .first()
    )
    self_diagnosed = plan.items.filter(source=Item.Source.SELF_DIAGNOSIS)
    if first_assessment is not None:
        self_diagnosed = self_diagnosed.filter(raised_on__lt=timezone.localdate(first_assessment))
    return self_diagnosed.exists()


@receiver(cycles_closed, dispatch_uid="advisory-carry-over")
def carry_over_open_items(sender: Any, cycle_ids: list[int], **kwargs: Any) -> None:
    """R-CYC-9: open items of a closed cycle wait for the factory's next cycle (they join it at its FV1)."""
    for item in Item.objects.filter(cycle_id__in=cycle_ids, status__in=Item.OPEN_STATUSES):
        item.cycle = None
        save_with_history(item, actor=None, reason="carried over: the cycle closed", fields=["cycle", "updated_at"])


def items_join_cycle(*, factory: Factory, cycle: ServiceCycle) -> int:
    """At FV1, the open items carried over from the previous cycle join the new one."""
    moved = 0
    for item in Item.objects.filter(plan__factory=factory, cycle__isnull=True, status__in=Item.OPEN_STATUSES):
        item.cycle = cycle
        save_with_history(item, actor=None, reason=f"carried into cycle {cycle.number}", fields=["cycle", "updated_at"])
        moved += 1
    return moved
