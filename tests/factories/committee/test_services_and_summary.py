"""The committee's services (atomic meetings, dates, history) and the summary that Progress Report 1 and
differentiation criteria 2-4 read (factories.committee_selectors)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.committee_selectors import committee_summary, year_before
from factories.models import CommitteeMeeting, FollowUpAction, MeetingOutcome
from factories.services.committee import action_save, meeting_record, member_save
from tests.builders import (
    CommitteeBuilder,
    CommitteeMeetingBuilder,
    CommitteeMemberBuilder,
    FactoryBuilder,
    FollowUpActionBuilder,
    MeetingOutcomeBuilder,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


# --- services -----------------------------------------------------------------------------------------------


def test_a_meeting_whose_action_is_invalid_leaves_nothing_behind(world):
    """The service itself is atomic: the meeting and outcomes saved before the bad action are rolled back."""
    before = (CommitteeMeeting.objects.count(), MeetingOutcome.objects.count(), FollowUpAction.objects.count())
    with pytest.raises(ValidationError):
        meeting_record(
            committee=world.ka.committee,
            actor=world.users.factory_a,
            held_on=TODAY(),
            minutes="Minutes",
            outcomes=["An outcome"],
            actions=[{"description": "Fine"}, {"description": ""}],
        )
    after = (CommitteeMeeting.objects.count(), MeetingOutcome.objects.count(), FollowUpAction.objects.count())
    assert after == before


def test_an_unknown_action_field_leaves_nothing_behind(world):
    before = CommitteeMeeting.objects.count()
    with pytest.raises(ApplicationError):
        meeting_record(
            committee=world.ka.committee,
            actor=world.users.factory_a,
            held_on=TODAY(),
            minutes="Minutes",
            actions=[{"description": "Already done", "status": "done"}],
        )
    assert CommitteeMeeting.objects.count() == before


def test_the_assessor_is_refused_by_the_service(world):
    with pytest.raises(NotPermitted):
        meeting_record(committee=world.ka.committee, actor=world.users.assessor_kh, held_on=TODAY(), minutes="x")


def test_done_gets_today_or_keeps_its_date(world):
    action = world.ka.action
    action_save(meeting=action.meeting, action=action, actor=world.users.factory_a, status="done")
    assert (action.status, action.done_on) == ("done", TODAY())
    # saying "done" again (done_on empty) keeps the date already recorded instead of failing
    FollowUpAction.objects.filter(pk=action.pk).update(done_on=TODAY() - 3 * DAY)  # no history row
    action.refresh_from_db()
    action_save(meeting=action.meeting, action=action, actor=world.users.factory_a, status="done", done_on=None)
    action.refresh_from_db()
    assert action.done_on == TODAY() - 3 * DAY
    # reopened: no longer done, no date
    action_save(meeting=action.meeting, action=action, actor=world.users.factory_a, status="open")
    action.refresh_from_db()
    assert (action.status, action.done_on) == ("open", None)
    assert [r.history_user for r in action.history.order_by("history_date")][1:] == [world.users.factory_a] * 3


def test_an_action_is_only_moved_through_its_own_meeting(world):
    """A caller passing another meeting would have the permission checked on the wrong factory."""
    with pytest.raises(ApplicationError):
        action_save(meeting=world.kb.meeting, action=world.ka.action, actor=world.users.factory_b, status="done")
    world.ka.action.refresh_from_db()
    assert world.ka.action.status == "open"


def test_a_member_leaving_before_joining_is_refused_on_left_on(world):
    member = world.ka.member
    member.joined_on = datetime.date(2024, 6, 1)
    member.save()
    with pytest.raises(ApplicationError) as refused:
        member_save(
            committee=member.committee, member=member, actor=world.users.factory_a, left_on=datetime.date(2024, 5, 1)
        )
    assert refused.value.field == "left_on"


# --- the summary --------------------------------------------------------------------------------------------


def test_year_before_handles_29_february():
    assert year_before(datetime.date(2024, 2, 29)) == datetime.date(2023, 2, 28)
    assert year_before(datetime.date(2025, 6, 30)) == datetime.date(2024, 6, 30)


def _example():
    """A committee as of 30 June 2025, with figures that every rule of the summary changes."""
    as_of = datetime.date(2025, 6, 30)
    committee = CommitteeBuilder(
        formed_on=datetime.date(2023, 3, 1),
        formation="election",
        formation_notes="Secret ballot organised by the union.",
        election_date=datetime.date(2023, 2, 20),
    )
    for side, count in (("management", 2), ("worker", 3), ("union", 1)):
        CommitteeMemberBuilder.create_batch(count, committee=committee, side=side)
    CommitteeMemberBuilder(committee=committee, side="management", left_on=datetime.date(2025, 1, 1))  # left
    CommitteeMemberBuilder(committee=committee, side="worker", left_on=datetime.date(2025, 7, 15))  # still on
    CommitteeMemberBuilder(committee=committee, side="union", joined_on=datetime.date(2025, 8, 1))  # not yet
    in_year = [
        CommitteeMeetingBuilder(committee=committee, held_on=held_on)
        for held_on in (datetime.date(2024, 7, 1), datetime.date(2025, 1, 10), datetime.date(2025, 6, 30))
    ]
    MeetingOutcomeBuilder.create_batch(2, meeting=in_year[0])
    MeetingOutcomeBuilder(meeting=in_year[2])
    too_old = CommitteeMeetingBuilder(committee=committee, held_on=datetime.date(2024, 6, 30))  # a year ago: out
    MeetingOutcomeBuilder(meeting=too_old)
    FollowUpActionBuilder(meeting=too_old, priority=True)  # out of the year
    FollowUpActionBuilder(meeting=in_year[0], priority=True, status="done")
    FollowUpActionBuilder(meeting=in_year[1], priority=True, status="in_progress")
    FollowUpActionBuilder(meeting=in_year[2], priority=True, status="cancelled")  # left out
    FollowUpActionBuilder(meeting=in_year[2], priority=False, status="done")  # not a priority issue
    # another factory's committee must not leak into these figures
    other = CommitteeMeetingBuilder(held_on=datetime.date(2025, 3, 1))
    MeetingOutcomeBuilder(meeting=other)
    FollowUpActionBuilder(meeting=other, priority=True, status="done")
    CommitteeMemberBuilder(committee=other.committee, side="management")
    return committee, as_of


def test_the_summary_of_a_built_example(django_assert_num_queries):
    committee, as_of = _example()
    with django_assert_num_queries(1):
        summary = committee_summary(committee.factory, as_of=as_of)
    assert summary.exists
    assert (summary.established_on, summary.formation, summary.election_date) == (
        datetime.date(2023, 3, 1),
        "election",
        datetime.date(2023, 2, 20),
    )
    assert summary.members_by_side == {"management": 2, "worker": 4, "union": 1}
    assert summary.members_active == 7
    assert (summary.meetings_last_12_months, summary.meetings_with_outcomes_last_12_months) == (3, 2)
    assert (summary.priority_actions, summary.priority_actions_done) == (2, 1)
    assert not summary.all_priority_actions_done
    assert summary.progress_report_1_answers() == {
        "committee_established_on": "2023-03-01",
        "committee_formation": "Worker members elected by workers — Secret ballot organised by the union.",
        "election_date": "2023-02-20",
    }


def test_the_summary_moves_with_its_date(django_assert_num_queries):
    committee, _ = _example()
    summary = committee_summary(committee.factory.pk, as_of=datetime.date(2025, 7, 1))
    # 1 July 2024 is now a year ago (out); the worker who left on 15 July is still on
    assert summary.meetings_last_12_months == 2
    assert summary.meetings_with_outcomes_last_12_months == 1
    assert (summary.priority_actions, summary.priority_actions_done) == (1, 0)
    summary = committee_summary(committee.factory, as_of=datetime.date(2025, 8, 1))
    assert summary.members_by_side == {"management": 2, "worker": 3, "union": 2}


def test_the_summary_of_a_factory_without_a_committee(django_assert_num_queries):
    factory = FactoryBuilder()
    with django_assert_num_queries(1):
        summary = committee_summary(factory)
    assert not summary.exists
    assert summary.members_by_side == {"management": 0, "worker": 0, "union": 0}
    assert (summary.meetings_last_12_months, summary.priority_actions, summary.priority_actions_done) == (0, 0, 0)
    assert summary.progress_report_1_answers() == {
        "committee_established_on": None,
        "committee_formation": "",
        "election_date": None,
    }


def test_the_summary_takes_one_query_whatever_the_size(django_assert_num_queries):
    committee, as_of = _example()
    for _ in range(10):
        meeting = CommitteeMeetingBuilder(committee=committee, held_on=as_of)
        MeetingOutcomeBuilder.create_batch(3, meeting=meeting)
        FollowUpActionBuilder.create_batch(3, meeting=meeting, priority=True, status="done")
        CommitteeMemberBuilder(committee=committee)
    with django_assert_num_queries(1):
        summary = committee_summary(committee.factory, as_of=as_of)
    assert (summary.meetings_last_12_months, summary.meetings_with_outcomes_last_12_months) == (13, 12)
    assert (summary.priority_actions, summary.priority_actions_done) == (32, 31)
    assert summary.members_by_side["worker"] == 14
