"""/api/v1/committees/, committee-members/, committee-meetings/, follow-up-actions/ (R-ADV-6).

The factory and its country's advisor / programme manager keep the committee; the country's assessor reads it
(403 on writes); other factories, other countries and buyers never see it (404, absent from lists); every
reference written must lie in the caller's scope (400, nothing created)."""

import datetime

import pytest
from django.utils import timezone

from factories.models import Committee, CommitteeMeeting, CommitteeMember, FollowUpAction, MeetingOutcome
from tests.builders import (
    BuyerAuthorisationBuilder,
    CommitteeMeetingBuilder,
    CommitteeMemberBuilder,
    FollowUpActionBuilder,
    MeetingOutcomeBuilder,
)
from tests.factories.committee.conftest import VISIBLE

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
COMMITTEES, MEMBERS, MEETINGS, ACTIONS = (
    "/api/v1/committees/",
    "/api/v1/committee-members/",
    "/api/v1/committee-meetings/",
    "/api/v1/follow-up-actions/",
)


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _objects(world, kind: str, keys: set[str]) -> set[int]:
    return {getattr(getattr(world, f"k{key}"), kind).pk for key in keys}


# --- who sees what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("principal", sorted(VISIBLE))
@pytest.mark.parametrize(
    ("url", "kind"), [(COMMITTEES, "committee"), (MEMBERS, "member"), (MEETINGS, "meeting"), (ACTIONS, "action")]
)
def test_lists_hold_exactly_what_the_caller_may_see(api_client, world, principal, url, kind):
    response = as_user(api_client, getattr(world.users, principal)).get(url)
    assert ids(response) == _objects(world, kind, VISIBLE[principal])


@pytest.mark.parametrize("principal", ["factory_b", "factory_c", "advisor_vn", "buyer"])
@pytest.mark.parametrize(
    ("url", "kind"), [(COMMITTEES, "committee"), (MEMBERS, "member"), (MEETINGS, "meeting"), (ACTIONS, "action")]
)
def test_hidden_objects_answer_404_with_their_history(api_client, world, principal, url, kind):
    client = as_user(api_client, getattr(world.users, principal))
    pk = getattr(world.ka, kind).pk
    assert client.get(f"{url}{pk}/").status_code == 404
    assert client.get(f"{url}{pk}/history/").status_code == 404
    assert client.patch(f"{url}{pk}/", {}, format="json").status_code == 404


def test_anonymous_is_refused(api_client, world):
    assert api_client.get(COMMITTEES).status_code == 401


def test_committee_detail_carries_the_contract_fields_and_counts(api_client, world):
    CommitteeMemberBuilder(committee=world.ka.committee, side="management")
    CommitteeMemberBuilder(committee=world.ka.committee, left_on=TODAY() - datetime.timedelta(days=1))
    CommitteeMeetingBuilder(committee=world.ka.committee, held_on=TODAY() - datetime.timedelta(days=400))
    FollowUpActionBuilder(meeting=world.ka.meeting, status="done")
    FollowUpActionBuilder(meeting=world.ka.meeting, status="in_progress")
    response = as_user(api_client, world.users.assessor_kh).get(f"{COMMITTEES}{world.ka.committee.pk}/")
    assert response.status_code == 200
    body = response.json()
    committee = world.ka.committee
    assert {k: body[k] for k in body if k not in ("created_at", "updated_at")} == {
        "id": committee.pk,
        "factory": world.a.pk,
        "kind": "picc",
        "name": "",
        "formed_on": committee.formed_on.isoformat(),
        "formation": "election",
        "formation_notes": "",
        "election_date": committee.election_date.isoformat(),
        "members_active": 2,  # the one who left yesterday no longer counts
        "meetings_last_12_months": 1,  # the one 400 days ago is older
        "actions_open": 2,  # open + in progress, not done
    }


def test_committee_list_filters_by_factory(api_client, world):
    client = as_user(api_client, world.users.advisor_kh)
    assert ids(client.get(COMMITTEES, {"factory": world.b.pk})) == {world.kb.committee.pk}
    assert ids(client.get(COMMITTEES, {"factory": world.v.pk})) == set()


# --- the committee ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("principal", ["factory_c", "advisor_kh", "pm_kh"])
def test_the_factory_and_its_programme_record_the_committee(api_client, world, principal):
    user = getattr(world.users, principal)
    payload = {
        "factory": world.c.pk,
        "kind": "picc",
        "name": "Chenla PICC",
        "formed_on": "2024-03-01",
        "formation": "election",
        "formation_notes": "Workers voted by secret ballot.",
        "election_date": "2024-02-20",
    }
    response = as_user(api_client, user).post(COMMITTEES, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    committee = Committee.objects.get(factory=world.c)
    assert body["id"] == committee.pk
    assert (body["members_active"], body["meetings_last_12_months"], body["actions_open"]) == (0, 0, 0)
    assert (committee.name, committee.formed_on, committee.election_date) == (
        "Chenla PICC",
        datetime.date(2024, 3, 1),
        datetime.date(2024, 2, 20),
    )
    record = committee.history.get()
    assert (record.history_type, record.history_user) == ("+", user)


def test_a_second_committee_for_the_same_factory_is_refused_on_factory(api_client, world):
    response = as_user(api_client, world.users.factory_a).post(COMMITTEES, {"factory": world.a.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["factory"]
    assert Committee.objects.filter(factory=world.a).count() == 1


@pytest.mark.parametrize("principal", ["factory_a", "advisor_vn", "buyer"])
def test_a_committee_for_a_factory_out_of_scope_is_refused(api_client, world, principal):
    """Another factory, another country, a buyer (even one the factory authorised): 400 on factory, nothing made."""
    BuyerAuthorisationBuilder(factory=world.c, buyer=world.users.buyer.buyer)
    response = as_user(api_client, getattr(world.users, principal)).post(
        COMMITTEES, {"factory": world.c.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["factory"]
    assert not Committee.objects.filter(factory=world.c).exists()
    assert Committee.objects.count() == 3


def test_the_assessor_may_not_record_a_committee(api_client, world):
    response = as_user(api_client, world.users.assessor_kh).post(COMMITTEES, {"factory": world.c.pk}, format="json")
    assert response.status_code == 403
    assert not Committee.objects.filter(factory=world.c).exists()


def test_factory_user_changes_its_committee(api_client, world):
    url = f"{COMMITTEES}{world.ka.committee.pk}/"
    response = as_user(api_client, world.users.factory_a).patch(
        url, {"formation": "appointment", "formation_notes": "Appointed by the union."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["formation"] == "appointment"
    world.ka.committee.refresh_from_db()
    assert (world.ka.committee.formation, world.ka.committee.formation_notes) == (
        "appointment",
        "Appointed by the union.",
    )
    history = as_user(api_client, world.users.assessor_kh).get(url + "history/").json()
    assert history[-1]["by"] == "factory_a"
    assert history[-1]["change"] == "changed"
    assert history[-1]["fields"] == {
        "formation": {"from": "election", "to": "appointment"},
        "formation_notes": {"from": "", "to": "Appointed by the union."},
    }


def test_the_assessor_reads_the_committee_but_may_not_change_it(api_client, world):
    url = f"{COMMITTEES}{world.ka.committee.pk}/"
    client = as_user(api_client, world.users.assessor_kh)
    assert client.get(url).status_code == 200
    assert client.patch(url, {"name": "Renamed"}, format="json").status_code == 403
    world.ka.committee.refresh_from_db()
    assert world.ka.committee.name == ""


def test_a_future_formation_date_is_refused(api_client, world):
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = as_user(api_client, world.users.advisor_kh).patch(
        f"{COMMITTEES}{world.ka.committee.pk}/", {"formed_on": tomorrow}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["formed_on"]


def test_put_and_delete_are_not_offered(api_client, world):
    client = as_user(api_client, world.users.global_admin)
    assert client.put(f"{COMMITTEES}{world.ka.committee.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"{COMMITTEES}{world.ka.committee.pk}/").status_code == 405


# --- members ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("principal", ["factory_a", "advisor_kh"])
def test_members_are_added_by_the_factory_and_its_advisor(api_client, world, principal):
    payload = {
        "committee": world.ka.committee.pk,
        "name": "Sokha Chan",
        "side": "union",
        "position": "Union steward",
        "elected": True,
        "joined_on": "2024-05-01",
    }
    response = as_user(api_client, getattr(world.users, principal)).post(MEMBERS, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    member = CommitteeMember.objects.get(pk=body["id"])
    assert (member.committee, member.name, member.side, member.elected) == (
        world.ka.committee,
        "Sokha Chan",
        "union",
        True,
    )
    assert (body["factory"], body["active"], body["left_on"]) == (world.a.pk, True, None)


@pytest.mark.parametrize("principal", ["factory_a", "advisor_vn", "buyer"])
def test_a_member_for_another_factorys_committee_is_refused_and_nothing_is_created(api_client, world, principal):
    before = CommitteeMember.objects.count()
    payload = {"committee": world.kb.committee.pk, "name": "Intruder", "side": "worker"}
    response = as_user(api_client, getattr(world.users, principal)).post(MEMBERS, payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["committee"]
    assert CommitteeMember.objects.count() == before
    assert not CommitteeMember.objects.filter(name="Intruder").exists()


def test_the_assessor_may_not_add_members(api_client, world):
    payload = {"committee": world.ka.committee.pk, "name": "Not added", "side": "worker"}
    response = as_user(api_client, world.users.assessor_kh).post(MEMBERS, payload, format="json")
    assert response.status_code == 403
    assert not CommitteeMember.objects.filter(name="Not added").exists()


def test_a_member_who_leaves_is_kept_with_left_on_and_never_deleted(api_client, world):
    client = as_user(api_client, world.users.factory_a)
    url = f"{MEMBERS}{world.ka.member.pk}/"
    yesterday = (TODAY() - datetime.timedelta(days=1)).isoformat()
    response = client.patch(url, {"left_on": yesterday}, format="json")
    assert response.status_code == 200
    assert (response.json()["left_on"], response.json()["active"]) == (yesterday, False)
    assert client.delete(url).status_code == 405
    assert CommitteeMember.objects.filter(pk=world.ka.member.pk).exists()
    committee = world.ka.committee.pk
    assert ids(client.get(MEMBERS, {"committee": committee, "active": "false"})) == {world.ka.member.pk}
    assert ids(client.get(MEMBERS, {"committee": committee, "active": "true"})) == set()


def test_a_member_cannot_leave_before_joining(api_client, world):
    CommitteeMember.objects.filter(pk=world.ka.member.pk).update(joined_on=datetime.date(2024, 6, 1))
    response = as_user(api_client, world.users.factory_a).patch(
        f"{MEMBERS}{world.ka.member.pk}/", {"left_on": "2024-05-01"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["left_on"]
    world.ka.member.refresh_from_db()
    assert world.ka.member.left_on is None


def test_members_filter_by_side(api_client, world):
    manager = CommitteeMemberBuilder(committee=world.ka.committee, side="management")
    client = as_user(api_client, world.users.advisor_kh)
    assert ids(client.get(MEMBERS, {"side": "management"})) == {manager.pk}
    assert ids(client.get(MEMBERS, {"side": "worker"})) == {world.ka.member.pk, world.kb.member.pk}
    assert ids(client.get(MEMBERS, {"committee": world.kb.committee.pk})) == {world.kb.member.pk}


# --- meetings -----------------------------------------------------------------------------------------------


def _meeting_payload(world, **overrides):
    payload = {
        "committee": world.ka.committee.pk,
        "held_on": (TODAY() - datetime.timedelta(days=2)).isoformat(),
        "attendees": 9,
        "minutes": "Reviewed the fire drill and overtime.",
        "outcomes": ["Fire drill every quarter", "Overtime roster posted weekly"],
        "actions": [
            {"description": "Buy extinguishers", "responsible": "HR manager", "due_on": "2030-01-31", "priority": True},
            {"description": "Post the roster"},
        ],
    }
    return {**payload, **overrides}


@pytest.mark.parametrize("principal", ["factory_a", "advisor_kh"])
def test_a_meeting_is_recorded_with_its_outcomes_and_actions_in_one_request(api_client, world, principal):
    user = getattr(world.users, principal)
    response = as_user(api_client, user).post(MEETINGS, _meeting_payload(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    meeting = CommitteeMeeting.objects.get(pk=body["id"])
    assert (body["committee"], body["factory"], body["attendees"]) == (world.ka.committee.pk, world.a.pk, 9)
    assert [o["text"] for o in body["outcomes"]] == ["Fire drill every quarter", "Overtime roster posted weekly"]
    assert [(a["description"], a["priority"], a["status"], a["due_on"]) for a in body["actions"]] == [
        ("Buy extinguishers", True, "open", "2030-01-31"),
        ("Post the roster", False, "open", None),
    ]
    assert meeting.outcomes.count() == 2
    assert meeting.actions.count() == 2
    # every row is kept with who recorded it
    assert {r.history_user for r in meeting.history.all()} == {user}
    assert {r.history_user for r in MeetingOutcome.history.filter(meeting_id=meeting.pk)} == {user}
    assert {r.history_user for r in FollowUpAction.history.filter(meeting_id=meeting.pk)} == {user}
    detail = api_client.get(f"{MEETINGS}{meeting.pk}/").json()
    assert detail["outcomes"] == body["outcomes"]
    assert detail["actions"] == body["actions"]


@pytest.mark.parametrize(
    "bad_action",
    [{"responsible": "nobody"}, {"description": "x", "due_on": "not a date"}, {"description": "x", "priority": "?"}],
)
def test_an_invalid_action_refuses_the_whole_meeting(api_client, world, bad_action):
    before = (CommitteeMeeting.objects.count(), MeetingOutcome.objects.count(), FollowUpAction.objects.count())
    payload = _meeting_payload(world, actions=[{"description": "Fine action"}, bad_action])
    response = as_user(api_client, world.users.factory_a).post(MEETINGS, payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["actions"]
    after = (CommitteeMeeting.objects.count(), MeetingOutcome.objects.count(), FollowUpAction.objects.count())
    assert after == before


def test_a_meeting_in_the_future_is_refused_on_held_on(api_client, world):
    before = CommitteeMeeting.objects.count()
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = as_user(api_client, world.users.factory_a).post(
        MEETINGS, _meeting_payload(world, held_on=tomorrow), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["held_on"]
    assert CommitteeMeeting.objects.count() == before
    assert not MeetingOutcome.objects.filter(text="Fire drill every quarter").exists()


@pytest.mark.parametrize("principal", ["factory_a", "advisor_vn", "buyer"])
def test_a_meeting_for_another_factorys_committee_is_refused(api_client, world, principal):
    before = CommitteeMeeting.objects.count()
    payload = _meeting_payload(world, committee=world.kb.committee.pk)
    response = as_user(api_client, getattr(world.users, principal)).post(MEETINGS, payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["committee"]
    assert CommitteeMeeting.objects.count() == before


def test_the_assessor_may_not_record_meetings_or_outcomes(api_client, world):
    client = as_user(api_client, world.users.assessor_kh)
    before = (CommitteeMeeting.objects.count(), MeetingOutcome.objects.count())
    assert client.post(MEETINGS, _meeting_payload(world), format="json").status_code == 403
    url = f"{MEETINGS}{world.ka.meeting.pk}/"
    assert client.post(url + "outcomes/", {"text": "Not mine to add"}, format="json").status_code == 403
    assert client.patch(url, {"minutes": "Rewritten"}, format="json").status_code == 403
    assert (CommitteeMeeting.objects.count(), MeetingOutcome.objects.count()) == before
    world.ka.meeting.refresh_from_db()
    assert world.ka.meeting.minutes != "Rewritten"


def test_outcomes_are_added_to_a_meeting(api_client, world):
    client = as_user(api_client, world.users.advisor_kh)
    url = f"{MEETINGS}{world.ka.meeting.pk}/outcomes/"
    response = client.post(url, {"text": "  Canteen menu changes monthly  "}, format="json")
    assert response.status_code == 201
    assert response.json()["text"] == "Canteen menu changes monthly"
    assert response.json()["meeting"] == world.ka.meeting.pk
    assert list(world.ka.meeting.outcomes.values_list("text", flat=True)) == [
        world.ka.outcome.text,
        "Canteen menu changes monthly",
    ]
    blank = client.post(url, {"text": "   "}, format="json")
    assert blank.status_code == 400
    assert list(blank.json()) == ["text"]
    assert as_user(api_client, world.users.factory_b).post(url, {"text": "x"}, format="json").status_code == 404
    assert world.ka.meeting.outcomes.count() == 2


def test_meeting_corrections_are_kept_with_who_made_them(api_client, world):
    meeting = CommitteeMeeting.objects.get(pk=world.ka.meeting.pk)
    original = meeting.minutes
    response = as_user(api_client, world.users.factory_a).patch(
        f"{MEETINGS}{meeting.pk}/", {"minutes": "Corrected minutes", "attendees": 12}, format="json"
    )
    assert response.status_code == 200
    response = as_user(api_client, world.users.advisor_kh).patch(
        f"{MEETINGS}{meeting.pk}/", {"attendees": 11}, format="json"
    )
    assert response.status_code == 200
    history = as_user(api_client, world.users.assessor_kh).get(f"{MEETINGS}{meeting.pk}/history/")
    assert history.status_code == 200
    entries = history.json()
    assert [(e["change"], e["by"]) for e in entries] == [
        ("created", None),  # built directly, with no user
        ("changed", "factory_a"),
        ("changed", "advisor_kh"),
    ]
    assert entries[1]["fields"] == {
        "minutes": {"from": original, "to": "Corrected minutes"},
        "attendees": {"from": None, "to": 12},
    }
    assert entries[2]["fields"] == {"attendees": {"from": 12, "to": 11}}
    assert set(entries[0]) == {"at", "by", "change", "reason", "fields"}
    assert meeting.history.count() == 3


def test_a_meeting_cannot_be_moved_to_the_future(api_client, world):
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = as_user(api_client, world.users.factory_a).patch(
        f"{MEETINGS}{world.ka.meeting.pk}/", {"held_on": tomorrow}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["held_on"]


# --- follow-up actions --------------------------------------------------------------------------------------


def test_done_without_done_on_gets_today_and_history_says_who(api_client, world):
    url = f"{ACTIONS}{world.ka.action.pk}/"
    client = as_user(api_client, world.users.factory_a)
    response = client.patch(url, {"status": "in_progress"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["done_on"]) == ("in_progress", None)
    response = as_user(api_client, world.users.advisor_kh).patch(url, {"status": "done"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["done_on"]) == ("done", TODAY().isoformat())
    action = FollowUpAction.objects.get(pk=world.ka.action.pk)
    assert (action.status, action.done_on) == ("done", TODAY())
    entries = client.get(url + "history/").json()
    assert [(e["by"], e["fields"].get("status")) for e in entries[1:]] == [
        ("factory_a", {"from": "open", "to": "in_progress"}),
        ("advisor_kh", {"from": "in_progress", "to": "done"}),
    ]
    assert entries[2]["fields"]["done_on"] == {"from": None, "to": TODAY().isoformat()}


def test_done_keeps_the_date_given(api_client, world):
    response = as_user(api_client, world.users.factory_a).patch(
        f"{ACTIONS}{world.ka.action.pk}/", {"status": "done", "done_on": "2024-01-15"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["done_on"] == "2024-01-15"


def test_the_assessor_may_not_move_an_action(api_client, world):
    response = as_user(api_client, world.users.assessor_kh).patch(
        f"{ACTIONS}{world.ka.action.pk}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 403
    world.ka.action.refresh_from_db()
    assert (world.ka.action.status, world.ka.action.done_on) == ("open", None)
    assert world.ka.action.history.count() == 1


def test_an_action_is_added_to_a_meeting_in_scope_only(api_client, world):
    client = as_user(api_client, world.users.factory_a)
    ok = client.post(ACTIONS, {"meeting": world.ka.meeting.pk, "description": "Fix the fan"}, format="json")
    assert ok.status_code == 201
    assert (ok.json()["meeting"], ok.json()["committee"], ok.json()["factory"]) == (
        world.ka.meeting.pk,
        world.ka.committee.pk,
        world.a.pk,
    )
    before = FollowUpAction.objects.count()
    refused = client.post(ACTIONS, {"meeting": world.kb.meeting.pk, "description": "Not mine"}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["meeting"]
    assert FollowUpAction.objects.count() == before


def test_actions_filter_by_status_priority_overdue_and_committee(api_client, world):
    past = TODAY() - datetime.timedelta(days=3)
    overdue = FollowUpActionBuilder(meeting=world.ka.meeting, due_on=past, priority=True)
    late_but_done = FollowUpActionBuilder(meeting=world.ka.meeting, due_on=past, status="done")
    on_time = FollowUpActionBuilder(meeting=world.kb.meeting, due_on=TODAY(), status="in_progress")
    client = as_user(api_client, world.users.advisor_kh)
    assert ids(client.get(ACTIONS, {"overdue": "true"})) == {overdue.pk}
    assert ids(client.get(ACTIONS, {"overdue": "false"})) == {
        world.ka.action.pk,
        world.kb.action.pk,
        late_but_done.pk,
        on_time.pk,
    }
    assert ids(client.get(ACTIONS, {"status": "done"})) == {late_but_done.pk}
    assert ids(client.get(ACTIONS, {"priority": "true"})) == {overdue.pk}
    assert ids(client.get(ACTIONS, {"committee": world.kb.committee.pk})) == {world.kb.action.pk, on_time.pk}
    rows = {row["id"]: row["overdue"] for row in client.get(ACTIONS).json()["results"]}
    assert rows[overdue.pk] is True
    assert rows[late_but_done.pk] is False
    assert rows[on_time.pk] is False


# --- queries stay constant as data grows --------------------------------------------------------------------


def _grow(world, meetings: int) -> None:
    for _ in range(meetings):
        meeting = CommitteeMeetingBuilder(committee=world.ka.committee)
        MeetingOutcomeBuilder.create_batch(2, meeting=meeting)
        FollowUpActionBuilder.create_batch(2, meeting=meeting)
        CommitteeMemberBuilder(committee=world.ka.committee)


@pytest.mark.parametrize("url", [COMMITTEES, MEMBERS, MEETINGS, ACTIONS])
def test_lists_take_a_constant_number_of_queries(api_client, world, django_assert_max_num_queries, url):
    client = as_user(api_client, world.users.advisor_kh)
    _grow(world, 2)
    with django_assert_max_num_queries(5):
        small = client.get(url, {"page_size": 100})
    _grow(world, 20)
    with django_assert_max_num_queries(5):
        large = client.get(url, {"page_size": 100})
    assert small.status_code == large.status_code == 200
    if url != COMMITTEES:
        assert large.json()["count"] > small.json()["count"]


def test_meetings_come_newest_first_with_their_outcomes_and_actions(api_client, world):
    client = as_user(api_client, world.users.factory_a)
    older = CommitteeMeetingBuilder(committee=world.ka.committee, held_on=TODAY() - datetime.timedelta(days=90))
    newer = CommitteeMeetingBuilder(committee=world.ka.committee, held_on=TODAY())
    rows = client.get(MEETINGS).json()["results"]
    assert [row["id"] for row in rows] == [newer.pk, world.ka.meeting.pk, older.pk]
    assert [o["id"] for o in rows[1]["outcomes"]] == [world.ka.outcome.pk]
    assert [a["id"] for a in rows[1]["actions"]] == [world.ka.action.pk]
    assert rows[1]["actions"][0]["overdue"] is False


def test_every_endpoint_is_documented_in_the_schema():
    """Built from this area's routes alone, so that another area's work in progress cannot hide a gap here."""
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema
    from rest_framework.routers import DefaultRouter

    from factories.api import committee

    router = DefaultRouter()
    committee.register(router)
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache
    paths = schema["paths"]
    assert set(paths) == {
        "/api/v1/committees/",
        "/api/v1/committees/{id}/",
        "/api/v1/committees/{id}/history/",
        "/api/v1/committee-members/",
        "/api/v1/committee-members/{id}/",
        "/api/v1/committee-members/{id}/history/",
        "/api/v1/committee-meetings/",
        "/api/v1/committee-meetings/{id}/",
        "/api/v1/committee-meetings/{id}/history/",
        "/api/v1/committee-meetings/{id}/outcomes/",
        "/api/v1/follow-up-actions/",
        "/api/v1/follow-up-actions/{id}/",
        "/api/v1/follow-up-actions/{id}/history/",
    }
    assert set(paths["/api/v1/committees/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/committee-meetings/"]["post"]["requestBody"]["content"]["application/json"]) == {"schema"}
    history = paths["/api/v1/follow-up-actions/{id}/history/"]["get"]["responses"]["200"]
    assert history["content"]["application/json"]["schema"]["type"] == "array"


def test_patches_cannot_move_rows_to_another_factory(api_client, world):
    """The parent of a member, meeting or action is not writable: a PATCH naming another one moves nothing."""
    client = as_user(api_client, world.users.advisor_kh)  # sees both A and B
    other_committee, other_meeting = world.kb.committee.pk, world.kb.meeting.pk
    assert (
        client.patch(f"{MEMBERS}{world.ka.member.pk}/", {"committee": other_committee}, format="json").status_code
        == 200
    )
    assert (
        client.patch(f"{MEETINGS}{world.ka.meeting.pk}/", {"committee": other_committee}, format="json").status_code
        == 200
    )
    assert client.patch(f"{ACTIONS}{world.ka.action.pk}/", {"meeting": other_meeting}, format="json").status_code == 200
    assert (
        client.patch(f"{COMMITTEES}{world.ka.committee.pk}/", {"factory": world.b.pk}, format="json").status_code == 200
    )
    assert CommitteeMember.objects.get(pk=world.ka.member.pk).committee_id == world.ka.committee.pk
    assert CommitteeMeeting.objects.get(pk=world.ka.meeting.pk).committee_id == world.ka.committee.pk
    assert FollowUpAction.objects.get(pk=world.ka.action.pk).meeting_id == world.ka.meeting.pk
    assert Committee.objects.get(pk=world.ka.committee.pk).factory_id == world.a.pk
