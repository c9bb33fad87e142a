"""Read-mostly admin for the training app; changes go through the pages and the API (training.services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from training.models import Course, Enrolment, Seminar, SeminarParticipation, TrainingPurchase, TrainingSession


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "country", "cluster", "days", "modality", "language")
    list_filter = ("country", "cluster", "modality")
    search_fields = ("title", "topic")


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("course", "start_date", "days", "modality", "capacity", "trainer")
    list_filter = ("modality", "course__country")
    date_hierarchy = "start_date"


@admin.register(Enrolment)
class EnrolmentAdmin(SimpleHistoryAdmin):
    list_display = ("factory", "session", "cycle", "participants", "participant_days", "paid_only")
    list_filter = ("paid_only",)
    raw_id_fields = ("factory", "session", "cycle", "created_by")


@admin.register(TrainingPurchase)
class TrainingPurchaseAdmin(SimpleHistoryAdmin):
    list_display = ("invoice_number", "factory", "cycle", "participant_days", "amount", "currency")
    raw_id_fields = ("factory", "cycle", "created_by")
    search_fields = ("invoice_number",)


@admin.register(Seminar)
class SeminarAdmin(admin.ModelAdmin):
    list_display = ("title", "country", "date", "length", "modality", "capacity")
    list_filter = ("country", "length")


@admin.register(SeminarParticipation)
class SeminarParticipationAdmin(SimpleHistoryAdmin):
    list_display = ("factory", "seminar", "cycle", "participants", "action_plan_at")
    raw_id_fields = ("factory", "seminar", "cycle", "created_by")
