"""The worker-management committee (R-ADV-6): kept by the factory and its advisor, every change in history."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from betterwork.accounts.models import User
from betterwork.common.exceptions import ApplicationError
from factories.models import (
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    Factory,
    FollowUpAction,
    MeetingOutcome,
)
from factories.services.common import require, save_with_history

COMMITTEE_FIELDS = frozenset({"kind", "name", "formed_on", "formation", "formation_notes", "election_date"})
MEMBER_FIELDS = frozenset({"name", "side", "position", "elected", "joined_on", "left_on"})
ACTION_FIELDS = frozenset({"description", "responsible", "due_on", "priority", "status", "done_on"})


def _apply(obj: Any, changes: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ApplicationError(_("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)})
    for field, value in changes.items():
        setattr(obj, field, value)
    obj.full_clean()


def _not_in_future(day: date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ApplicationError(_("This date is in the future."), field=field)


def committee_save(*, factory: Factory, actor: User, **changes: Any) -> Committee:
    """Create the factory's committee or change its details."""
    require(actor, "keep_committee", factory)
    with transaction.atomic():
        committee = Committee.objects.select_for_update().filter(factory=factory).first() or Committee(factory=factory)
        _not_in_future(changes.get("formed_on"), "formed_on")
        _not_in_future(changes.get("election_date"), "election_date")
        _apply(committee, changes, COMMITTEE_FIELDS)
        save_with_history(committee, actor=actor, reason="committee details")
    return committee


def member_save(*, committee: Committee, actor: User, member: CommitteeMember | None = None, **changes: Any):
    """Add a member, or change one (a member who leaves gets `left_on`; members are never deleted)."""
    require(actor, "keep_committee", committee.factory)
    member = member or CommitteeMember(committee=committee)
    if member.committee_id != committee.pk:
        raise ApplicationError(_("This member belongs to another committee."))
    joined_on, left_on = changes.get("joined_on", member.joined_on), changes.get("left_on", member.left_on)
    if joined_on and left_on and left_on < joined_on:
        raise ApplicationError(
            _("A member cannot leave before joining (joined on %(date)s).") % {"date": joined_on.isoformat()},
            field="left_on",
        )
    _apply(member, changes, MEMBER_FIELDS)
    save_with_history(member, actor=actor, reason="member")
    return member


def meeting_record(
    *,
    committee: Committee,
    actor: User,
    held_on: date,
    minutes: str,
    attendees: int | None = None,
    outcomes: list[str] | None = None,
    actions: list[dict[str, Any]] | None = None,
) -> CommitteeMeeting:
    """A meeting with its minutes, the outcomes it reached and the follow-up actions it decided."""
    require(actor, "keep_committee", committee.factory)
    _not_in_future(held_on, "held_on")
    if not minutes.strip():
        raise ApplicationError(_("Write the minutes of the meeting."), field="minutes")
    with transaction.atomic():
        meeting = CommitteeMeeting(committee=committee, held_on=held_on, minutes=minutes.strip(), attendees=attendees)
        meeting.full_clean()
        save_with_history(meeting, actor=actor, reason="meeting recorded")
        for text in outcomes or []:
            if text.strip():
                outcome = MeetingOutcome(meeting=meeting, text=text.strip())
                save_with_history(outcome, actor=actor, reason="meeting recorded")
        for spec in actions or []:
            action = FollowUpAction(meeting=meeting)
            _apply(action, spec, ACTION_FIELDS - {"status", "done_on"})
            save_with_history(action, actor=actor, reason="meeting recorded")
    return meeting


def meeting_update(*, meeting: CommitteeMeeting, actor: User, **changes: Any) -> CommitteeMeeting:
    require(actor, "keep_committee", meeting.committee.factory)
    _not_in_future(changes.get("held_on"), "held_on")
    _apply(meeting, changes, frozenset({"held_on", "minutes", "attendees"}))
    save_with_history(meeting, actor=actor, reason="meeting corrected")
    return meeting


def outcome_add(*, meeting: CommitteeMeeting, actor: User, text: str) -> MeetingOutcome:
    require(actor, "keep_committee", meeting.committee.factory)
    if not text.strip():
        raise ApplicationError(_("Write the outcome."), field="text")
    outcome = MeetingOutcome(meeting=meeting, text=text.strip())
    save_with_history(outcome, actor=actor, reason="outcome added")
    return outcome


def action_save(
    *, meeting: CommitteeMeeting, actor: User, action: FollowUpAction | None = None, **changes: Any
) -> FollowUpAction:
    """Add a follow-up action to a meeting or move one on; `done` needs (or gets today as) `done_on`."""
    require(actor, "keep_committee", meeting.committee.factory)
    action = action or FollowUpAction(meeting=meeting)
    if action.meeting_id != meeting.pk:
        raise ApplicationError(_("This follow-up action belongs to another meeting."))
    if changes.get("status") == FollowUpAction.Status.DONE and not changes.get("done_on"):
        changes["done_on"] = action.done_on or timezone.localdate()
    if changes.get("status") in (FollowUpAction.Status.OPEN, FollowUpAction.Status.IN_PROGRESS):
        changes.setdefault("done_on", None)
    _not_in_future(changes.get("done_on"), "done_on")
    _apply(action, changes, ACTION_FIELDS)
    save_with_history(action, actor=actor, reason="follow-up action")
    return action
