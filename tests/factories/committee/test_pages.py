"""The committee pages: /factories/<pk>/committee/, a meeting's page, recording a meeting.

The factory and its country's advisor keep the committee through forms; the country's assessor reads it (no
forms, POST → 403); buyers, other factories and other countries get 404."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from factories.models import Committee, CommitteeMeeting, CommitteeMember, FollowUpAction, MeetingOutcome
from tests.builders import (
    CommitteeMeetingBuilder,
    CommitteeMemberBuilder,
    FollowUpActionBuilder,
    MeetingOutcomeBuilder,
    with_totp,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def login(client, user):
    if user.needs_two_factor:
        with_totp(user)
    client.force_login(user)
    return client


def section(html: str, label: str) -> str:
    match = re.search(rf'<section aria-labelledby="{label}">(.*?)</section>', html, re.DOTALL)
    assert match, f"no section {label!r}"
    return match.group(1)


def committee_url(factory) -> str:
    return reverse("factories:committee", args=[factory.pk])


def meeting_url(meeting) -> str:
    return reverse("factories:committee-meeting", args=[meeting.committee.factory_id, meeting.pk])


def new_meeting_url(factory) -> str:
    return reverse("factories:committee-meeting-new", args=[factory.pk])


def _meeting_form(**overrides):
    data = {
        "meeting-held_on": (TODAY() - DAY).isoformat(),
        "meeting-attendees": "8",
        "meeting-minutes": "Talked about heat in the sewing hall.",
        "meeting-outcomes": "Fans on line 3\n\n  Water points on every floor  \n",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "3",
        "actions-0-description": "Install four fans",
        "actions-0-responsible": "Maintenance",
        "actions-0-due_on": (TODAY() + 30 * DAY).isoformat(),
        "actions-0-priority": "on",
        "actions-1-description": "Check the water points",
    }
    return {**data, **overrides}


# --- who sees the pages -------------------------------------------------------------------------------------


def _all_urls(world):
    ka = world.ka
    a = world.a.pk
    return [
        committee_url(world.a),
        meeting_url(ka.meeting),
        new_meeting_url(world.a),
        reverse("factories:committee-member-add", args=[a]),
        reverse("factories:committee-member-left", args=[a, ka.member.pk]),
        reverse("factories:committee-outcome-add", args=[a, ka.meeting.pk]),
        reverse("factories:committee-action-add", args=[a, ka.meeting.pk]),
        reverse("factories:committee-action-status", args=[a, ka.action.pk]),
    ]


@pytest.mark.parametrize("principal", ["buyer", "factory_b", "advisor_vn"])
def test_the_committee_does_not_exist_for_buyers_other_factories_and_countries(client, world, principal):
    login(client, getattr(world.users, principal))
    for url in _all_urls(world):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {}).status_code == 404, url


def test_a_meeting_of_another_factory_is_404_under_this_factory(client, world):
    login(client, world.users.factory_a)
    assert client.get(reverse("factories:committee-meeting", args=[world.a.pk, world.kb.meeting.pk])).status_code == 404
    url = reverse("factories:committee-action-status", args=[world.a.pk, world.kb.action.pk])
    assert client.post(url, {f"action-{world.kb.action.pk}-status": "done"}).status_code == 404
    url = reverse("factories:committee-member-left", args=[world.a.pk, world.kb.member.pk])
    assert client.post(url, {f"member-{world.kb.member.pk}-left_on": TODAY().isoformat()}).status_code == 404
    world.kb.action.refresh_from_db()
    world.kb.member.refresh_from_db()
    assert (world.kb.action.status, world.kb.member.left_on) == ("open", None)


def test_the_tab_leads_to_the_committee(client, world):
    html = login(client, world.users.factory_a).get(committee_url(world.a)).content.decode()
    assert f'<a href="{committee_url(world.a)}" aria-current="page">Committee</a>' in html


# --- the assessor reads only ----------------------------------------------------------------------------------


def test_the_assessor_reads_everything_without_forms(client, world):
    login(client, world.users.assessor_kh)
    html = client.get(committee_url(world.a)).content.decode()
    assert world.ka.member.name in html
    assert meeting_url(world.ka.meeting) in html
    assert 'method="post"' not in html.split('<main id="main">')[1]
    assert "Record a meeting" not in html
    html = client.get(meeting_url(world.ka.meeting)).content.decode()
    assert world.ka.meeting.minutes in html
    assert world.ka.outcome.text in html
    assert 'method="post"' not in html.split('<main id="main">')[1]
    assert client.get(new_meeting_url(world.a)).status_code == 403


def test_the_assessor_is_refused_every_change(client, world):
    login(client, world.users.assessor_kh)
    before = (
        Committee.objects.count(),
        CommitteeMember.objects.count(),
        CommitteeMeeting.objects.count(),
        MeetingOutcome.objects.count(),
        FollowUpAction.objects.count(),
    )
    a, ka = world.a.pk, world.ka
    posts = [
        (committee_url(world.a), {"committee-kind": "picc", "committee-name": "Renamed"}),
        (reverse("factories:committee-member-add", args=[a]), {"member-name": "X", "member-side": "worker"}),
        (
            reverse("factories:committee-member-left", args=[a, ka.member.pk]),
            {f"member-{ka.member.pk}-left_on": TODAY().isoformat()},
        ),
        (new_meeting_url(world.a), _meeting_form()),
        (meeting_url(ka.meeting), {"meeting-held_on": TODAY().isoformat(), "meeting-minutes": "Rewritten"}),
        (reverse("factories:committee-outcome-add", args=[a, ka.meeting.pk]), {"outcome-text": "No"}),
        (reverse("factories:committee-action-add", args=[a, ka.meeting.pk]), {"action-description": "No"}),
        (
            reverse("factories:committee-action-status", args=[a, ka.action.pk]),
            {f"action-{ka.action.pk}-status": "done"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    after = (
        Committee.objects.count(),
        CommitteeMember.objects.count(),
        CommitteeMeeting.objects.count(),
        MeetingOutcome.objects.count(),
        FollowUpAction.objects.count(),
    )
    assert after == before
    for obj in (ka.committee, ka.member, ka.meeting, ka.action):
        obj.refresh_from_db()
    assert (ka.committee.name, ka.member.left_on, ka.action.status) == ("", None, "open")
    assert ka.meeting.minutes != "Rewritten"


# --- the factory and its advisor keep the committee ---------------------------------------------------------


@pytest.mark.parametrize("principal", ["factory_c", "advisor_kh"])
def test_the_empty_state_says_what_to_do_first_and_the_form_records_the_committee(client, world, principal):
    user = getattr(world.users, principal)
    login(client, user)
    response = client.get(committee_url(world.c))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No committee yet: record how it was formed." in html
    assert 'name="committee-formation"' in html
    assert section(html, "details")
    assert 'aria-labelledby="members"' not in html  # nothing else to show before the committee exists
    response = client.post(
        committee_url(world.c),
        {
            "committee-kind": "picc",
            "committee-formed_on": "2024-03-01",
            "committee-formation": "election",
            "committee-election_date": "2024-02-20",
            "committee-formation_notes": "Secret ballot.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == committee_url(world.c)
    committee = Committee.objects.get(factory=world.c)
    assert (committee.formed_on, committee.formation, committee.election_date) == (
        datetime.date(2024, 3, 1),
        "election",
        datetime.date(2024, 2, 20),
    )
    assert committee.history.get().history_user == user
    html = client.get(committee_url(world.c)).content.decode()
    assert "Worker members elected by workers" in html
    assert "No meeting recorded yet" in html
    assert "No member on this side." in html


def test_the_empty_state_for_a_reader(client, world):
    html = login(client, world.users.assessor_kh).get(committee_url(world.c)).content.decode()
    assert "No committee yet: record how it was formed." in html
    assert "The factory or its enterprise advisor records the committee." in html
    assert 'name="committee-formation"' not in html


def test_a_future_formation_date_is_shown_next_to_its_field(client, world):
    login(client, world.users.factory_a)
    tomorrow = (TODAY() + DAY).isoformat()
    response = client.post(committee_url(world.a), {"committee-kind": "picc", "committee-formed_on": tomorrow})
    assert response.status_code == 200
    assert response.context["committee_form"].errors == {"formed_on": ["This date is in the future."]}
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    world.ka.committee.refresh_from_db()
    assert world.ka.committee.formed_on != TODAY() + DAY


def test_members_are_grouped_by_side_added_and_leave(client, world):
    manager = CommitteeMemberBuilder(committee=world.ka.committee, side="management", name="Dara Manager")
    login(client, world.users.factory_a)
    response = client.post(
        reverse("factories:committee-member-add", args=[world.a.pk]),
        {"member-name": "Sophea Union", "member-side": "union", "member-elected": "on"},
    )
    assert response.status_code == 302
    added = CommitteeMember.objects.get(name="Sophea Union")
    assert (added.committee, added.side, added.elected) == (world.ka.committee, "union", True)

    html = section(client.get(committee_url(world.a)).content.decode(), "members")
    columns = re.split(r"<h3>", html)[1:]
    assert [c.split("</h3>")[0] for c in columns] == ["Management", "Workers", "Union"]
    assert "Dara Manager" in columns[0]
    assert world.ka.member.name in columns[1]
    assert "Sophea Union" in columns[2]

    url = reverse("factories:committee-member-left", args=[world.a.pk, manager.pk])
    response = client.post(url, {f"member-{manager.pk}-left_on": TODAY().isoformat()})
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.left_on == TODAY()
    html = section(client.get(committee_url(world.a)).content.decode(), "members")
    assert "1 former member" in html
    management = re.split(r"<h3>", html)[1]
    assert "Dara Manager" not in management
    assert "No member on this side." in management


def test_a_member_cannot_leave_before_joining_the_error_is_next_to_the_date(client, world):
    CommitteeMember.objects.filter(pk=world.ka.member.pk).update(joined_on=datetime.date(2024, 6, 1))
    login(client, world.users.factory_a)
    url = reverse("factories:committee-member-left", args=[world.a.pk, world.ka.member.pk])
    response = client.post(url, {f"member-{world.ka.member.pk}-left_on": "2024-05-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "A member cannot leave before joining (joined on 2024-06-01)." in html
    world.ka.member.refresh_from_db()
    assert world.ka.member.left_on is None


def test_a_member_needs_a_name_and_a_side(client, world):
    login(client, world.users.advisor_kh)
    before = CommitteeMember.objects.count()
    response = client.post(reverse("factories:committee-member-add", args=[world.a.pk]), {"member-name": ""})
    assert response.status_code == 200
    assert set(response.context["member_form"].errors) == {"name", "side"}
    assert CommitteeMember.objects.count() == before


# --- meetings -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("principal", ["factory_a", "advisor_kh"])
def test_a_meeting_is_recorded_with_outcomes_and_actions(client, world, principal):
    user = getattr(world.users, principal)
    login(client, user)
    assert client.get(new_meeting_url(world.a)).status_code == 200
    response = client.post(new_meeting_url(world.a), _meeting_form())
    assert response.status_code == 302
    meeting = CommitteeMeeting.objects.exclude(pk=world.ka.meeting.pk).get(committee=world.ka.committee)
    assert response["Location"] == meeting_url(meeting)
    assert (meeting.held_on, meeting.attendees) == (TODAY() - DAY, 8)
    assert list(meeting.outcomes.values_list("text", flat=True)) == ["Fans on line 3", "Water points on every floor"]
    assert list(meeting.actions.order_by("id").values_list("description", "priority", "responsible")) == [
        ("Install four fans", True, "Maintenance"),
        ("Check the water points", False, ""),
    ]  # the third, blank row is ignored
    assert meeting.history.get().history_user == user

    html = client.get(meeting_url(meeting)).content.decode()
    assert "Talked about heat in the sewing hall." in html
    assert "Water points on every floor" in section(html, "outcomes")
    history = section(html, "history")
    assert history.count(f"<td>{user.username}</td>") == 5  # the meeting, two outcomes, two actions


def test_an_invalid_action_row_saves_nothing(client, world):
    login(client, world.users.factory_a)
    before = (CommitteeMeeting.objects.count(), MeetingOutcome.objects.count(), FollowUpAction.objects.count())
    response = client.post(
        new_meeting_url(world.a), _meeting_form(**{"actions-2-priority": "on", "actions-2-due_on": "2030-01-01"})
    )
    assert response.status_code == 200
    assert response.context["actions"].errors[2] == {"description": ["This field is required."]}
    assert "The meeting is not recorded yet" in response.content.decode()
    after = (CommitteeMeeting.objects.count(), MeetingOutcome.objects.count(), FollowUpAction.objects.count())
    assert after == before


def test_a_meeting_in_the_future_is_refused_next_to_held_on(client, world):
    login(client, world.users.factory_a)
    before = CommitteeMeeting.objects.count()
    response = client.post(new_meeting_url(world.a), _meeting_form(**{"meeting-held_on": (TODAY() + DAY).isoformat()}))
    assert response.status_code == 200
    assert response.context["form"].errors == {"held_on": ["This date is in the future."]}
    assert CommitteeMeeting.objects.count() == before


def test_recording_a_meeting_needs_the_committee_first(client, world):
    login(client, world.users.factory_c)
    response = client.get(new_meeting_url(world.c))
    assert response.status_code == 302
    assert response["Location"] == committee_url(world.c)


def test_outcomes_are_added_and_actions_move_on_the_meeting_page(client, world):
    overdue = FollowUpActionBuilder(meeting=world.ka.meeting, due_on=TODAY() - 2 * DAY, description="Repair exits")
    login(client, world.users.factory_a)
    html = section(client.get(meeting_url(world.ka.meeting)).content.decode(), "actions")
    row = re.search(rf'<tr id="action-{overdue.pk}">(.*?)</tr>', html, re.DOTALL).group(1)
    assert '<span class="badge warn">overdue</span>' in row

    url = reverse("factories:committee-outcome-add", args=[world.a.pk, world.ka.meeting.pk])
    assert client.post(url, {"outcome-text": "Exits cleared daily"}).status_code == 302
    assert world.ka.meeting.outcomes.filter(text="Exits cleared daily").exists()

    url = reverse("factories:committee-action-status", args=[world.a.pk, overdue.pk])
    response = client.post(url, {f"action-{overdue.pk}-status": "done"})
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert (overdue.status, overdue.done_on) == ("done", TODAY())

    html = client.get(meeting_url(world.ka.meeting)).content.decode()
    row = re.search(rf'<tr id="action-{overdue.pk}">(.*?)</tr>', section(html, "actions"), re.DOTALL).group(1)
    assert "overdue" not in row
    history = section(html, "history")
    assert "Action: Repair exits" in history
    assert "Status: Open → Done" in history
    assert "<td>factory_a</td>" in history


def test_a_status_date_in_the_future_is_shown_next_to_the_field(client, world):
    login(client, world.users.advisor_kh)
    action = world.ka.action
    url = reverse("factories:committee-action-status", args=[world.a.pk, action.pk])
    response = client.post(
        url, {f"action-{action.pk}-status": "done", f"action-{action.pk}-done_on": (TODAY() + DAY).isoformat()}
    )
    assert response.status_code == 200
    form = next(row["form"] for row in response.context["actions"] if row["action"].pk == action.pk)
    assert form.errors == {"done_on": ["This date is in the future."]}
    action.refresh_from_db()
    assert action.status == "open"


def test_a_meeting_correction_is_shown_in_its_history(client, world):
    login(client, world.users.advisor_kh)
    response = client.post(
        meeting_url(world.ka.meeting),
        {"meeting-held_on": world.ka.meeting.held_on.isoformat(), "meeting-attendees": "14", "meeting-minutes": "New"},
    )
    assert response.status_code == 302
    history = section(client.get(meeting_url(world.ka.meeting)).content.decode(), "history")
    assert "<td>advisor_kh</td>" in history
    assert "Attendees: — → 14" in history
    assert "Minutes: Discussed overtime planning and the canteen. → New" in history


def test_meetings_are_newest_first_and_paginated(client, world):
    for days in range(1, 13):
        CommitteeMeetingBuilder(committee=world.ka.committee, held_on=TODAY() - (10 + days) * DAY)
    login(client, world.users.factory_a)
    page1 = client.get(committee_url(world.a)).context["meetings"]
    held = [m.held_on for m in page1]
    assert len(held) == 10
    assert held == sorted(held, reverse=True)
    assert held[0] == world.ka.meeting.held_on
    page2 = client.get(committee_url(world.a), {"page": 2}).context["meetings"]
    assert [m.held_on for m in page2] == [TODAY() - days * DAY for days in (20, 21, 22)]  # 13 meetings in all


def test_open_actions_list_overdue_badges(client, world):
    late = FollowUpActionBuilder(meeting=world.ka.meeting, due_on=TODAY() - DAY, description="Late one")
    FollowUpActionBuilder(meeting=world.ka.meeting, status="done", description="Finished one")
    login(client, world.users.advisor_kh)
    html = section(client.get(committee_url(world.a)).content.decode(), "open-actions")
    assert "Late one" in html
    assert world.ka.action.description in html
    assert "Finished one" not in html
    assert html.count('<span class="badge warn">overdue</span>') == 1
    assert late.description in html


def test_the_committee_page_takes_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    login(client, world.users.advisor_kh)
    client.get(committee_url(world.a))  # warm the session and the TOTP check

    def grow(n):
        for _ in range(n):
            meeting = CommitteeMeetingBuilder(committee=world.ka.committee)
            MeetingOutcomeBuilder.create_batch(2, meeting=meeting)
            FollowUpActionBuilder.create_batch(2, meeting=meeting)
            CommitteeMemberBuilder(committee=world.ka.committee, side="management")

    grow(2)
    with django_assert_max_num_queries(16) as small:
        assert client.get(committee_url(world.a)).status_code == 200
    grow(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(committee_url(world.a)).status_code == 200
    meeting = world.ka.meeting
    with django_assert_max_num_queries(16) as small:
        assert client.get(meeting_url(meeting)).status_code == 200
    MeetingOutcomeBuilder.create_batch(5, meeting=meeting)
    FollowUpActionBuilder.create_batch(5, meeting=meeting)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(meeting_url(meeting)).status_code == 200
