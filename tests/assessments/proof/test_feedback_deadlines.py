"""The feedback period (R-ASM-6): five working days in the factory's country calendar, with its own weekend
(Friday–Saturday in Bangladesh, Egypt and Jordan; Saturday–Sunday elsewhere) and its public holidays, ending
at midnight of the country's time zone.

The expected deadlines are worked out by hand below (not with `add_working_days`): each submission falls just
before a weekend and a public holiday of the country (holidays as listed by the `holidays` package).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import Resolver404, resolve

from assessments.models import Assessment
from assessments.services.feedback import assessment_finalise, feedback_open, finding_respond, findings_accept
from betterwork.common.exceptions import ApplicationError, InvalidTransition
from factories.models import Country
from tests.assessments.builders import answer_all, assessor_of, in_feedback, in_progress, manager_of
from tests.builders import factory_user, with_totp

pytestmark = pytest.mark.django_db

# country → (started on, submitted on, the fifth working day after it, how it was counted)
DEADLINES = {
    "BD": (date(2026, 5, 25), date(2026, 5, 27), date(2026, 6, 4),
           "Wed 27 May; Thu 28 Eid al-Adha, Fri 29–Sat 30 weekend (and Eid); Sun 31 (1), Mon 1 (2), Tue 2 (3), "
           "Wed 3 (4), Thu 4 June (5)"),
    "KH": (date(2026, 4, 28), date(2026, 4, 30), date(2026, 5, 11),
           "Thu 30 Apr; Fri 1 May Labour Day, Sat–Sun; Mon 4 (1), Tue 5 Royal Ploughing, Wed 6 (2), Thu 7 (3), "
           "Fri 8 (4), Sat–Sun, Mon 11 May (5)"),
    "EG": (date(2026, 5, 20), date(2026, 5, 25), date(2026, 6, 4),
           "Mon 25 May; Tue 26 Arafah, Wed 27–Fri 29 Eid al-Adha, Fri–Sat weekend; Sun 31 (1), Mon 1 (2), "
           "Tue 2 (3), Wed 3 (4), Thu 4 June (5)"),
    "ET": (date(2026, 4, 28), date(2026, 4, 30), date(2026, 5, 11),
           "Thu 30 Apr; Fri 1 May Workers' Day, Sat–Sun; Mon 4 (1), Tue 5 Patriots' Victory Day, Wed 6 (2), "
           "Thu 7 (3), Fri 8 (4), Mon 11 May (5)"),
    "HT": (date(2026, 5, 12), date(2026, 5, 14), date(2026, 5, 22),
           "Thu 14 May; Fri 15 (1), Sat–Sun, Mon 18 Flag Day, Tue 19 (2), Wed 20 (3), Thu 21 (4), Fri 22 May (5)"),
    "ID": (date(2026, 5, 26), date(2026, 5, 29), date(2026, 6, 8),
           "Fri 29 May; Sat 30, Sun 31 (Vesak), Mon 1 June Pancasila Day; Tue 2 (1), Wed 3 (2), Thu 4 (3), "
           "Fri 5 (4), Sat–Sun, Mon 8 June (5)"),
    "JO": (date(2026, 5, 19), date(2026, 5, 21), date(2026, 6, 3),
           "Thu 21 May; Fri–Sat weekend; Sun 24 (1), Mon 25 Independence Day, Tue 26 Arafah, Wed 27–Fri 29 Eid "
           "al-Adha, Sat 30 weekend; Sun 31 (2), Mon 1 (3), Tue 2 (4), Wed 3 June (5)"),
    "LS": (date(2026, 5, 20), date(2026, 5, 22), date(2026, 6, 1),
           "Fri 22 May; Sat–Sun, Mon 25 Africa/Heroes Day; Tue 26 (1), Wed 27 (2), Thu 28 (3), Fri 29 (4), "
           "Sat–Sun, Mon 1 June (5)"),
    "NI": (date(2026, 9, 9), date(2026, 9, 11), date(2026, 9, 22),
           "Fri 11 Sep; Sat–Sun, Mon 14 San Jacinto, Tue 15 Independence; Wed 16 (1), Thu 17 (2), Fri 18 (3), "
           "Sat–Sun, Mon 21 (4), Tue 22 Sep (5)"),
    "VN": (date(2026, 4, 21), date(2026, 4, 24), date(2026, 5, 6),
           "Fri 24 Apr; Sat–Sun (Hung Kings), Mon 27 Hung Kings observed; Tue 28 (1), Wed 29 (2), Thu 30 "
           "Reunification, Fri 1 May Labour Day, Sat–Sun; Mon 4 (3), Tue 5 (4), Wed 6 May (5)"),
    "PK": (date(2026, 5, 20), date(2026, 5, 22), date(2026, 6, 3),
           "Fri 22 May; Sat–Sun; Mon 25 (1), Tue 26–Thu 28 Eid al-Adha; Fri 29 (2), Sat–Sun, Mon 1 (3), "
           "Tue 2 (4), Wed 3 June (5)"),
}  # fmt: skip


def test_the_table_covers_every_programme_country():
    assert set(DEADLINES) == set(Country.objects.values_list("code", flat=True))


@pytest.mark.parametrize("code", sorted(DEADLINES))
def test_submission_before_a_weekend_and_a_holiday_gives_the_fifth_working_day(code, time_machine):
    """R-ASM-6: through the service `assessment_submit` (the factory is informed that day)."""
    started, submitted, expected, _how = DEADLINES[code]
    time_machine.move_to(datetime(2026, 10, 1, 12, tzinfo=ZoneInfo("UTC")), tick=False)
    assessment = in_feedback(code, modality="virtual", started_on=started, submitted_on=submitted)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.submitted_on, assessment.feedback_deadline) == (
        Assessment.Status.FEEDBACK,
        submitted,
        expected,
    )


@pytest.mark.parametrize("code", ["BD", "JO", "NI"])
def test_submission_through_the_api_gives_the_same_deadline(code, time_machine, api_client):
    """The same deadline through `POST /api/v1/assessments/{id}/submit/` (on the submission day, local time)."""
    started, submitted, expected, _how = DEADLINES[code]
    zone = ZoneInfo(Country.objects.get(code=code).timezone)
    time_machine.move_to(datetime.combine(submitted, datetime.min.time(), zone) + timedelta(hours=18), tick=False)
    assessment = in_progress(code, modality="virtual", started_on=started)
    if not _api_exists():
        pytest.skip("the assessments API is not there yet (assessments/api/views.py registers nothing)")
    answer_all(assessment, non_compliant=("OSH.2.01",))
    assessor = assessor_of(assessment)
    with_totp(assessor)
    api_client.force_authenticate(assessor)
    response = api_client.post(f"/api/v1/assessments/{assessment.pk}/submit/", {}, format="json")
    assert response.status_code == 200, response.content
    assessment.refresh_from_db()
    assert (assessment.submitted_on, assessment.feedback_deadline) == (submitted, expected)
    assert response.json()["feedback_deadline"] == expected.isoformat()


def _api_exists() -> bool:
    try:
        resolve("/api/v1/assessments/1/submit/")
    except Resolver404:
        return False
    return True


# R-ASM-6: the period ends at midnight in the factory's country. Dhaka is UTC+6 (its next day starts while it
# is still the deadline day in UTC); Managua is UTC-6 (late evening there is already the next day in UTC).
@pytest.mark.parametrize("code", ["BD", "NI", "KH", "JO"])
def test_a_response_late_on_the_deadline_day_is_accepted_and_the_next_day_refused(code, time_machine):
    started, submitted, deadline, _how = DEADLINES[code]
    zone = ZoneInfo(Country.objects.get(code=code).timezone)
    time_machine.move_to(datetime.combine(submitted, datetime.min.time(), zone) + timedelta(hours=17), tick=False)
    assessment = in_feedback(code, modality="virtual", started_on=started, submitted_on=submitted)
    assert assessment.feedback_deadline == deadline
    user = factory_user(assessment.factory)

    late_evening = datetime(deadline.year, deadline.month, deadline.day, 23, 50, tzinfo=zone)
    time_machine.move_to(late_evening, tick=False)
    message = finding_respond(assessment_id=assessment.pk, actor=user, question="OSH.2.01", text="Exits unlocked.")
    assert message.from_factory

    just_after = datetime.combine(deadline + timedelta(days=1), datetime.min.time(), zone) + timedelta(minutes=5)
    time_machine.move_to(just_after, tick=False)
    with pytest.raises(ApplicationError, match="feedback period is over"):
        finding_respond(assessment_id=assessment.pk, actor=user, question="OSH.2.01", text="Too late.")
    with pytest.raises(InvalidTransition):
        findings_accept(assessment_id=assessment.pk, actor=user)
    assert assessment.findings.get(question__global_code="OSH.2.01").messages.count() == 1
    # … and the manager may finalise from then on, not before.
    assessment.refresh_from_db()
    assert not feedback_open(assessment)
    assert assessment_finalise(assessment_id=assessment.pk, actor=manager_of(assessment)).status == "finalised"


@pytest.mark.parametrize("code", ["BD", "NI"])
def test_the_manager_cannot_finalise_late_on_the_deadline_day(code, time_machine):
    started, submitted, deadline, _how = DEADLINES[code]
    zone = ZoneInfo(Country.objects.get(code=code).timezone)
    time_machine.move_to(datetime.combine(submitted, datetime.min.time(), zone) + timedelta(hours=17), tick=False)
    assessment = in_feedback(code, modality="virtual", started_on=started, submitted_on=submitted)
    time_machine.move_to(datetime(deadline.year, deadline.month, deadline.day, 23, 50, tzinfo=zone), tick=False)
    with pytest.raises(InvalidTransition, match="may respond until"):
        assessment_finalise(assessment_id=assessment.pk, actor=manager_of(assessment))
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.FEEDBACK
