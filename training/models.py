"""Training and industry seminars (R-TRN): the course catalogue per country, sessions, enrolments with their
participants and attendance, bought participant-days, seminars, seminar participation and action plans.

The rules (allowance, capacity, phases, seminars per cycle) live in `training.services`; the database adds
the checks it can hold on its own (1–5 course days, at most 80 seminar seats, positive participants).
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from betterwork.common.models import TimeStampedModel
from betterwork.common.translations import Translatable, active_language
from factories.models import Modality
from training.querysets import CountryCatalogueQuerySet, FactoryRowsQuerySet

MAX_COURSE_DAYS = 5
MAX_SEMINAR_PARTICIPANTS = 80  # R-TRN-3
INCLUDED_PARTICIPANT_DAYS = 25  # R-TRN-2, R-CYC-7
INCLUDED_SEMINARS = 4  # R-TRN-3, R-CYC-7


class Course(Translatable, TimeStampedModel):
    """A course of a country's catalogue (R-TRN-1): 1–5 days, classroom (on site) or virtual. Its title may be
    given in other languages too (`title_translations`, language code → title); readers see theirs (#10)."""

    COUNTRY_PATH = "country_id"
    country = models.ForeignKey("factories.Country", verbose_name=_("country"), on_delete=models.PROTECT,
                                related_name="training_courses")  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    title_translations = models.JSONField(_("title in other languages"), default=dict, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    cluster = models.ForeignKey("assessments.Cluster", verbose_name=_("cluster it addresses"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    days = models.PositiveSmallIntegerField(_("days"), help_text=_("From 1 to 5 days."))
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices, default=Modality.ONSITE)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")  # fmt: skip

    objects: ClassVar[CountryCatalogueQuerySet] = CountryCatalogueQuerySet.as_manager()
    translated_fields = ("title",)

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ("country", "title", "id")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=MAX_COURSE_DAYS),
                                   name="%(app_label)s_%(class)s_days_1_to_5"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.tr.title

    def translated(self, field: str, language: str | None = None) -> str:
        return self.title_translations.get(active_language(language)) or self.title


class TrainingSession(TimeStampedModel):
    """One run of a course: dates, venue or link, capacity (in participants) and trainer."""

    COUNTRY_PATH = "course__country_id"
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions")
    start_date = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"))
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    link = models.URLField(_("link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (participants)"))
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)

    objects: ClassVar[CountryCatalogueQuerySet] = CountryCatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ("start_date", "id")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=MAX_COURSE_DAYS),
                                   name="%(app_label)s_%(class)s_days_1_to_5"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="%(app_label)s_%(class)s_capacity_positive"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.course} ({self.start_date})"

    @property
    def dates(self) -> list:
        from datetime import timedelta

        return [self.start_date + timedelta(days=n) for n in range(self.days)]

    @property
    def end_date(self):
        return self.dates[-1]


class Enrolment(TimeStampedModel):
    """A factory's seats in a session. `participant_days` = participants × session days (R-TRN-2).

    R-CTY-4: a factory with no open service cycle (outside the programme, or between cycles) can still buy
    training: its enrolment has no cycle and is *paid only* (`paid_only`): every participant-day is bought and
    invoiced by the programme; nothing is counted against an allowance."""

    FACTORY_PATH = "factory"
    session = models.ForeignKey(TrainingSession, verbose_name=_("session"), on_delete=models.PROTECT,
                                related_name="enrolments")  # fmt: skip
    factory = models.ForeignKey("factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT,
                                related_name="training_enrolments")  # fmt: skip
    cycle = models.ForeignKey("factories.ServiceCycle", verbose_name=_("cycle"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="training_enrolments")  # fmt: skip
    participants = models.PositiveSmallIntegerField(_("participants"))
    participant_days = models.PositiveIntegerField(_("participant-days"))
    paid_only = models.BooleanField(
        _("paid only"), default=False, help_text=_("Outside a service cycle: every participant-day is bought.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")  # fmt: skip

    objects: ClassVar[FactoryRowsQuerySet] = FactoryRowsQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ("session__start_date", "id")
        constraints = [
            models.UniqueConstraint(fields=("session", "factory"), name="%(app_label)s_%(class)s_once_per_session"),
            models.CheckConstraint(condition=Q(participants__gte=1), name="%(app_label)s_%(class)s_participants"),
        ]

    def __str__(self) -> str:
        return f"{self.factory} — {self.session}"


class Participant(models.Model):
    """A named person of an enrolment (at most `participants` names): attendance and certificates are theirs."""

    FACTORY_PATH = "enrolment__factory"
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("name"), max_length=200)

    objects: ClassVar[FactoryRowsQuerySet] = FactoryRowsQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ("enrolment", "name")
        constraints = [
            models.UniqueConstraint(fields=("enrolment", "name"), name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Attendance(models.Model):
    """Whether one participant attended one day of the session (R-TRN-4)."""

    FACTORY_PATH = "participant__enrolment__factory"
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attendance")
    day = models.DateField(_("day"))
    present = models.BooleanField(_("present"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    objects: ClassVar[FactoryRowsQuerySet] = FactoryRowsQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ("day", "participant")
        constraints = [
            models.UniqueConstraint(fields=("participant", "day"), name="%(app_label)s_%(class)s_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.day}"


class TrainingPurchase(TimeStampedModel):
    """Extra participant-days a factory bought for a cycle (R-TRN-2), with the programme's invoice number."""

    FACTORY_PATH = "factory"
    factory = models.ForeignKey("factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT,
                                related_name="training_purchases")  # fmt: skip
    cycle = models.ForeignKey("factories.ServiceCycle", verbose_name=_("cycle"), on_delete=models.PROTECT,
                              related_name="training_purchases")  # fmt: skip
    participant_days = models.PositiveIntegerField(_("participant-days"))
    invoice_number = models.CharField(_("invoice number"), max_length=30, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects: ClassVar[FactoryRowsQuerySet] = FactoryRowsQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("training purchase")
        verbose_name_plural = _("training purchases")
        ordering = ("-created_at", "id")
        constraints = [
            models.CheckConstraint(condition=Q(participant_days__gte=1), name="%(app_label)s_%(class)s_days_positive"),
        ]

    def __str__(self) -> str:
        return self.invoice_number


class Seminar(TimeStampedModel):
    """An industry seminar (R-TRN-3): quarterly, half or full day, at most 80 participants, open to all the
    country's programme factories."""

    class Length(models.TextChoices):
        HALF_DAY = "half_day", _("Half day")
        FULL_DAY = "full_day", _("Full day")

    COUNTRY_PATH = "country_id"
    country = models.ForeignKey("factories.Country", verbose_name=_("country"), on_delete=models.PROTECT,
                                related_name="seminars")  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    cluster = models.ForeignKey("assessments.Cluster", verbose_name=_("cluster it addresses"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    date = models.DateField(_("date"))
    length = models.CharField(_("length"), max_length=10, choices=Length.choices, default=Length.FULL_DAY)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices, default=Modality.ONSITE)
    venue = models.CharField(_("venue or link"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (participants)"), default=MAX_SEMINAR_PARTICIPANTS)

    objects: ClassVar[CountryCatalogueQuerySet] = CountryCatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("industry seminar")
        verbose_name_plural = _("industry seminars")
        ordering = ("date", "id")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=MAX_SEMINAR_PARTICIPANTS),
                                   name="%(app_label)s_%(class)s_capacity_1_to_80"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.title} ({self.date})"


class SeminarParticipation(TimeStampedModel):
    """A factory taking part in a seminar: counts against the cycle's 4 seminars (R-TRN-3, R-CYC-7)."""

    FACTORY_PATH = "factory"
    seminar = models.ForeignKey(Seminar, verbose_name=_("seminar"), on_delete=models.PROTECT,
                                related_name="participations")  # fmt: skip
    factory = models.ForeignKey("factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT,
                                related_name="seminar_participations")  # fmt: skip
    cycle = models.ForeignKey("factories.ServiceCycle", verbose_name=_("cycle"), on_delete=models.PROTECT,
                              related_name="seminar_participations")  # fmt: skip
    participants = models.PositiveSmallIntegerField(_("participants"))
    action_plan_at = models.DateTimeField(_("action plan entered"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects: ClassVar[FactoryRowsQuerySet] = FactoryRowsQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("seminar participation")
        verbose_name_plural = _("seminar participations")
        ordering = ("seminar__date", "id")
        constraints = [
            models.UniqueConstraint(fields=("seminar", "factory"), name="%(app_label)s_%(class)s_once_per_seminar"),
            models.CheckConstraint(condition=Q(participants__gte=1), name="%(app_label)s_%(class)s_participants"),
        ]

    def __str__(self) -> str:
        return f"{self.factory} — {self.seminar}"


class SeminarAction(models.Model):
    """One action of a factory's seminar action plan; it becomes an improvement-plan item (source `seminar`)."""

    FACTORY_PATH = "participation__factory"
    participation = models.ForeignKey(SeminarParticipation, on_delete=models.PROTECT, related_name="actions")
    cluster = models.ForeignKey("assessments.Cluster", verbose_name=_("cluster"), on_delete=models.PROTECT,
                                related_name="+")  # fmt: skip
    text = models.CharField(_("issue"), max_length=500)
    action = models.TextField(_("action"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects: ClassVar[FactoryRowsQuerySet] = FactoryRowsQuerySet.as_manager()

    class Meta:
        verbose_name = _("seminar action")
        verbose_name_plural = _("seminar actions")
        ordering = ("participation", "id")

    def __str__(self) -> str:
        return self.text

    @property
    def reference(self) -> str:
        return f"seminar-action:{self.pk}"
