"""The milestone sweep (R-CYC-8): reminders, overdue notices, closure, each exactly once."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from betterwork.common.models import Notification
from factories.models import Milestone, MilestoneNotice, ServiceCycle
from factories.services.cycles import cycle_replan, cycle_start, milestone_complete
from factories.services.sweep import run_milestones
from tests.builders import FactoryBuilder, factory_user, staff

pytestmark = pytest.mark.django_db
START = date(2026, 1, 15)


@pytest.fixture
def cycle():
    advisor = staff("advisor", "KH")
    factory = FactoryBuilder(advisor=advisor)
    factory_user(factory)
    staff("programme_manager", "KH")
    return cycle_start(factory_id=factory.pk, on=START)


def _keys(cycle):
    return sorted(MilestoneNotice.objects.filter(milestone__cycle=cycle).values_list("milestone__kind", "key"))


def test_fv1_starts_a_cycle_with_every_milestone(cycle):
    """R-REG-2: day 0 is FV1."""
    assert (cycle.number, cycle.start_date, cycle.end_date) == (1, START, date(2027, 1, 15))
    assert sorted(cycle.milestones.values_list("kind", flat=True)) == sorted(Milestone.Kind.values)
    assert set(cycle.milestones.values_list("state", flat=True)) == {"planned"}


def test_a_second_open_cycle_or_an_unpaid_factory_is_refused(cycle):
    from betterwork.common.exceptions import ApplicationError

    with pytest.raises(ApplicationError, match="already has an open cycle"):
        cycle_start(factory_id=cycle.factory_id, on=START + timedelta(days=1))
    unpaid = FactoryBuilder(status="awaiting_payment")
    with pytest.raises(ApplicationError, match="paid"):
        cycle_start(factory_id=unpaid.pk, on=START)


def test_reminders_go_to_the_owner_once_at_the_nearest_lead(cycle):
    as_of = date(2026, 4, 20)  # initial_advisory_end is due 2026-04-25: 5 days ahead, inside the 14-day window
    run_milestones(as_of=as_of)
    run_milestones(as_of=as_of)

    assert _keys(cycle) == [("initial_advisory_end", "reminder-14")]
    notes = Notification.objects.filter(key__startswith="milestone:")
    assert list(notes.values_list("recipient", flat=True)) == [cycle.factory.advisor_id]

    run_milestones(as_of=date(2026, 4, 23))
    assert _keys(cycle) == [("initial_advisory_end", "reminder-14"), ("initial_advisory_end", "reminder-3")]


def test_an_overdue_milestone_is_announced_once_and_the_phase_end_completes_by_itself(cycle):
    as_of = date(2026, 7, 1)  # PR1 (2026-06-15) is overdue; the initial advisory phase ended on 2026-04-25
    first = run_milestones(as_of=as_of)
    second = run_milestones(as_of=as_of)

    assert first.overdue >= 1
    assert (second.overdue, second.reminders, second.notifications) == (0, 0, 0)
    assert cycle.milestones.get(kind="initial_advisory_end").state == "done"
    factory_users = set(cycle.factory.users.values_list("pk", flat=True))
    pr1 = Notification.objects.filter(key__contains=f":{cycle.milestones.get(kind='progress_report_1').pk}:overdue")
    assert factory_users <= set(pr1.values_list("recipient", flat=True))


def test_the_assessment_never_notifies_the_factory(cycle):
    """R-ASM-3: no message to a factory user carries the assessment's date."""
    for day in range(0, 400, 3):
        run_milestones(as_of=START + timedelta(days=day))
    factory_notes = Notification.objects.filter(recipient__role="factory")
    assessment = cycle.milestones.get(kind="assessment")
    assert factory_notes.exists()
    assert not factory_notes.filter(key__contains=f":{assessment.pk}:").exists()
    assert not any(assessment.due_date.isoformat() in n.body + n.title for n in factory_notes)


def test_ended_cycles_close_and_their_end_milestone_is_done(cycle):
    report = run_milestones(as_of=date(2027, 1, 15))
    cycle.refresh_from_db()
    assert report.cycles_closed == 1
    assert cycle.status == ServiceCycle.Status.CLOSED
    assert cycle.milestones.get(kind="cycle_end").state == "done"
    assert run_milestones(as_of=date(2027, 1, 16)).cycles_closed == 0


def test_a_real_event_completes_its_milestone_once(cycle):
    assert milestone_complete(cycle_id=cycle.pk, kind="progress_report_1")
    assert not milestone_complete(cycle_id=cycle.pk, kind="progress_report_1")
    done = cycle.milestones.get(kind="progress_report_1")
    assert done.state == "done"
    assert done.done_at is not None
    run_milestones(as_of=date(2026, 7, 1))
    assert not MilestoneNotice.objects.filter(milestone=done).exists()


def test_moving_fv1_replans_what_is_not_done_with_history(cycle):
    milestone_complete(cycle_id=cycle.pk, kind="initial_advisory_end")
    manager = staff("programme_manager", "KH", username="pm-replans")

    cycle_replan(cycle_id=cycle.pk, actor=manager, start=START + timedelta(days=10), reason="FV1 was moved")

    cycle.refresh_from_db()
    assert cycle.end_date == date(2027, 1, 25)
    assert cycle.milestones.get(kind="assessment").due_date == date(2026, 6, 4)
    assert cycle.milestones.get(kind="initial_advisory_end").due_date == date(2026, 4, 25)  # done: not moved
    change = cycle.milestones.get(kind="assessment").history.first()
    assert (change.history_user, change.history_change_reason) == (manager, "FV1 was moved")


def test_a_stage_change_cancels_the_off_year_assessment(cycle):
    run_milestones(as_of=date(2027, 1, 15))  # cycle 1 (assessed) closes
    factory = cycle.factory
    factory.stage = 2
    factory.save()
    second = cycle_start(factory_id=factory.pk, on=date(2027, 1, 20))
    assert second.milestones.get(kind="assessment").state == "cancelled"
    factory.stage = 1
    factory.save()
    cycle_replan(cycle_id=second.pk, actor=None, reason="back to stage 1")
    assert second.milestones.get(kind="assessment").state == "planned"


def test_the_command_runs_the_same_sweep(cycle, capsys):
    call_command("run_milestones", "--as-of", "2026-07-01")
    assert "overdue notices" in capsys.readouterr().out
    assert MilestoneNotice.objects.filter(milestone__cycle=cycle, key="overdue").exists()


def test_a_sweep_that_dies_half_way_is_finished_by_the_next_one_with_nothing_doubled(monkeypatch):
    """A worker killed mid-sweep: batches it committed stay done, the one it was in rolls back whole."""
    from factories.services import sweep as sweep_module

    staff("programme_manager", "KH")
    cycles = [cycle_start(factory_id=FactoryBuilder().pk, on=START + timedelta(days=n)) for n in range(6)]
    real, calls = sweep_module._notifications_for, []

    def dies_on_the_second_batch(milestones, key, as_of):
        calls.append(key)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real(milestones, key, as_of)

    monkeypatch.setattr(sweep_module, "_notifications_for", dies_on_the_second_batch)
    with pytest.raises(SystemExit):
        run_milestones(as_of=date(2026, 8, 1), batch_size=2)
    after_crash = MilestoneNotice.objects.count()
    assert after_crash > 0

    monkeypatch.setattr(sweep_module, "_notifications_for", real)
    run_milestones(as_of=date(2026, 8, 1), batch_size=2)

    notices = list(MilestoneNotice.objects.values_list("milestone_id", "key"))
    assert len(notices) == len(set(notices)) > after_crash
    overdue = Milestone.objects.filter(cycle__in=cycles, state="planned", due_date__lt=date(2026, 8, 1))
    assert set(overdue.values_list("pk", flat=True)) == set(
        MilestoneNotice.objects.filter(key="overdue").values_list("milestone_id", flat=True)
    )
    assert Notification.objects.count() == len(set(Notification.objects.values_list("recipient", "key")))
