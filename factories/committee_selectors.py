"""Reads of the worker-management committee (R-ADV-6) for its pages, its API and, later, Progress Report 1
and differentiation criteria 2-4. Every figure is computed from dates (never stored) in a constant number of
queries, whatever the number of members, meetings and actions."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from betterwork.accounts.models import Role
from betterwork.accounts.policy import visible
from factories.models import Committee, CommitteeMeeting, CommitteeMember, Factory, FollowUpAction, MeetingOutcome

OPEN_STATUSES = (FollowUpAction.Status.OPEN, FollowUpAction.Status.IN_PROGRESS)


def year_before(day: date) -> date:
    """The same day one year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _count(queryset: QuerySet, outer: str) -> Coalesce:
    """`SELECT COUNT(*) ... WHERE <outer> = outer.pk` as an annotation (0 when there is none)."""
    counted = (
        queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _active_members(today: date) -> QuerySet[CommitteeMember]:
    """Members on the committee on `today`: joined (or no date recorded) and not yet left."""
    return CommitteeMember.objects.filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=today), Q(left_on__isnull=True) | Q(left_on__gt=today)
    )


def _meetings_in_year(today: date) -> QuerySet[CommitteeMeeting]:
    return CommitteeMeeting.objects.filter(held_on__gt=year_before(today), held_on__lte=today)


def with_counts(queryset: QuerySet[Committee], *, today: date | None = None) -> QuerySet[Committee]:
    """Annotate `members_active`, `meetings_last_12_months` and `actions_open` (in the same query)."""
    today = today or timezone.localdate()
    return queryset.annotate(
        members_active=_count(_active_members(today), "committee"),
        meetings_last_12_months=_count(_meetings_in_year(today), "committee"),
        actions_open=_count(FollowUpAction.objects.filter(status__in=OPEN_STATUSES), "meeting__committee"),
    )


def with_overdue(queryset: QuerySet[FollowUpAction], *, today: date | None = None) -> QuerySet[FollowUpAction]:
    """Annotate `overdue`: still open or in progress after its due date."""
    today = today or timezone.localdate()
    return queryset.annotate(
        overdue=Case(
            When(status__in=OPEN_STATUSES, due_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def with_meeting_counts(queryset: QuerySet[CommitteeMeeting]) -> QuerySet[CommitteeMeeting]:
    """Annotate `outcome_count`, `action_count` and `open_action_count` (for lists of meetings)."""
    return queryset.annotate(
        outcome_count=_count(MeetingOutcome.objects.all(), "meeting"),
        action_count=_count(FollowUpAction.objects.all(), "meeting"),
        open_action_count=_count(FollowUpAction.objects.filter(status__in=OPEN_STATUSES), "meeting"),
    )


def committee_factories(user: Any) -> QuerySet[Factory]:
    """Factories whose committee `user` may see: as `visible(user, Factory)`, never for buyers (the committee is
    internal to the factory and its programme, see FactoryInternalQuerySet)."""
    if not (user.is_authenticated and user.is_active) or user.effective_role == Role.BUYER:
        return Factory.objects.none()
    return visible(user, Factory)


# --- the summary that Progress Report 1 and differentiation criteria 2-4 read ----------------------------------


@dataclass(frozen=True)
class CommitteeSummary:
    """What the programme knows of a factory's committee on `as_of`.

    * `established_on`, `formation`, `formation_notes`, `election_date`: Progress Report 1, "Workplace
      cooperation / A) Progress made";
    * `members_by_side`: active members per side (management, worker, union);
    * `meetings_last_12_months` and `meetings_with_outcomes_last_12_months`: criterion 2 asks for at least six
      meetings in the past year with concrete outcomes;
    * `priority_actions` and `priority_actions_done`: follow-up actions on priority issues decided in those
      meetings (cancelled ones left out) and how many of them are done — criterion 2 asks for all of them.
    """

    as_of: date
    exists: bool = False
    established_on: date | None = None
    formation: str = ""
    formation_display: str = ""
    formation_notes: str = ""
    election_date: date | None = None
    members_by_side: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CommitteeMember.Side.values, 0))
    meetings_last_12_months: int = 0
    meetings_with_outcomes_last_12_months: int = 0
    priority_actions: int = 0
    priority_actions_done: int = 0

    @property
    def members_active(self) -> int:
        return sum(self.members_by_side.values())

    @property
    def all_priority_actions_done(self) -> bool:
        return self.priority_actions_done == self.priority_actions

    def progress_report_1_answers(self) -> dict[str, Any]:
        """The answers of Progress Report 1's committee questions (keys of progress_report_1_template.json)."""
        formation = " — ".join(part for part in (self.formation_display, self.formation_notes.strip()) if part)
        return {
            "committee_established_on": self.established_on.isoformat() if self.established_on else None,
            "committee_formation": formation,
            "election_date": self.election_date.isoformat() if self.election_date else None,
        }


def committee_summary(factory: Factory | int, *, as_of: date | None = None) -> CommitteeSummary:
    """The factory's committee in figures (one query, whatever its size). No committee: an empty summary."""
    today = as_of or timezone.localdate()
    factory_id = factory if isinstance(factory, int) else factory.pk
    meetings = _meetings_in_year(today)
    priority = FollowUpAction.objects.filter(
        priority=True, meeting__held_on__gt=year_before(today), meeting__held_on__lte=today
    ).exclude(status=FollowUpAction.Status.CANCELLED)
    members = _active_members(today)
    side_counts = {
        f"members_{side}": _count(members.filter(side=side), "committee") for side in CommitteeMember.Side.values
    }
    row = (
        Committee.objects.filter(factory_id=factory_id)
        .annotate(
            **side_counts,
            meetings_in_year=_count(meetings, "committee"),
            meetings_with_outcomes=_count(
                meetings.filter(Exists(MeetingOutcome.objects.filter(meeting=OuterRef("pk")))), "committee"
            ),
            priority_total=_count(priority, "meeting__committee"),
            priority_done=_count(priority.filter(status=FollowUpAction.Status.DONE), "meeting__committee"),
        )
        .first()
    )
    if row is None:
        return CommitteeSummary(as_of=today)
    return CommitteeSummary(
        as_of=today,
        exists=True,
        established_on=row.formed_on,
        formation=row.formation,
        formation_display=row.get_formation_display() if row.formation else "",
        formation_notes=row.formation_notes,
        election_date=row.election_date,
        members_by_side={side: getattr(row, f"members_{side}") for side in CommitteeMember.Side.values},
        meetings_last_12_months=row.meetings_in_year,
        meetings_with_outcomes_last_12_months=row.meetings_with_outcomes,
        priority_actions=row.priority_total,
        priority_actions_done=row.priority_done,
    )
