"""R-TRN-4: the training a factory attended feeds its Progress Report 1 (suggested, never over its own text)."""

from advisory.services.reports import report_get, report_save_draft
from tests.training.conftest import new_session
from training.services import enrol


def test_progress_report_1_suggests_the_training_booked_this_cycle(world):
    enrol(actor=world.user, session_id=new_session(world).pk, factory_id=world.factory.pk, participants=3)
    report = report_get(cycle=world.cycle, number=1)
    assert "Fire safety" in report.answers["trainings_attended"]
    assert ": 3" in report.answers["trainings_attended"]


def test_the_factory_s_own_answer_is_kept(world):
    report = report_get(cycle=world.cycle, number=1)
    report_save_draft(report_id=report.pk, actor=world.user, answers={"trainings_attended": "Our own words."})
    enrol(actor=world.user, session_id=new_session(world).pk, factory_id=world.factory.pk, participants=2)
    assert report_get(cycle=world.cycle, number=1).answers["trainings_attended"] == "Our own words."
