"""Training services (R-TRN): keyword-only, take `actor`, check the policy, raise ApplicationError."""

from training.services.catalogue import course_create, seminar_create, session_create
from training.services.enrolment import attendance_record, enrol, participants_name, purchase_record
from training.services.seminars import action_plan_submit, seminar_join

__all__ = [
    "action_plan_submit",
    "attendance_record",
    "course_create",
    "enrol",
    "participants_name",
    "purchase_record",
    "seminar_create",
    "seminar_join",
    "session_create",
]
