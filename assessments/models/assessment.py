"""An assessment (R-ASM): planned in secret, started when the assessors arrive, answered question by
question, submitted (the factory is told of its critical issues), a feedback period of five working days,
finalised (immutable: corrections are audited revisions), then published.

The planned date and the assessors' booking live in `Schedule`, a staff-only model (R-ASM-3); the
assessment itself does not exist for factory and buyer users until it is started.
"""

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.querysets import AssessmentQuerySet, FindingQuerySet
from betterwork.common.models import TimeStampedModel
from factories.models import Modality
from factories.querysets import StaffOnlyQuerySet


class Assessment(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        FEEDBACK = "feedback", _("Feedback period")
        FINALISED = "finalised", _("Finalised")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    STARTED = (Status.IN_PROGRESS, Status.FEEDBACK, Status.FINALISED, Status.PUBLISHED)
    CLOSED = (Status.FINALISED, Status.PUBLISHED)

    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), on_delete=models.PROTECT, related_name="assessments"
    )
    cycle = models.ForeignKey(
        "factories.ServiceCycle", verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="assessments"
    )
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    cat_version = models.PositiveSmallIntegerField(_("assessment tool version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assessors"), related_name="assessments_assigned"
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    submitted_on = models.DateField(
        _("factory informed on"), null=True, blank=True,
        help_text=_("The day the assessors submitted the findings and the factory was told of its critical issues."),
    )  # fmt: skip
    feedback_deadline = models.DateField(_("feedback deadline"), null=True, blank=True)
    findings_accepted_at = models.DateTimeField(_("findings accepted"), null=True, blank=True)
    findings_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects: ClassVar[AssessmentQuerySet] = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ("-started_on", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("cycle",), condition=~Q(status="cancelled"), name="%(app_label)s_%(class)s_one_per_cycle"
            ),
            models.CheckConstraint(
                condition=Q(status__in=("planned", "cancelled")) | Q(started_on__isnull=False),
                name="%(app_label)s_%(class)s_started_has_date",
            ),
            models.CheckConstraint(
                condition=Q(submitted_on__isnull=True)
                | (Q(feedback_deadline__gt=models.F("submitted_on")) & Q(submitted_on__gte=models.F("started_on"))),
                name="%(app_label)s_%(class)s_feedback_period",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=("feedback", "finalised", "published")) | Q(submitted_on__isnull=False),
                name="%(app_label)s_%(class)s_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(finalised_at__isnull=True) | Q(submitted_on__isnull=False),
                name="%(app_label)s_%(class)s_finalised_after_feedback",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(finalised_at__isnull=False),
                name="%(app_label)s_%(class)s_published_implies_finalised",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=("finalised", "published")) | Q(finalised_at__isnull=False),
                name="%(app_label)s_%(class)s_finalised_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="%(app_label)s_%(class)s_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.factory} — {self.get_status_display()}"

    @property
    def is_started(self) -> bool:
        return self.status in self.STARTED


class Schedule(models.Model):
    """When an assessment is planned (R-ASM-3): staff only, in no factory- or buyer-visible channel."""

    FACTORY_PATH = "assessment__factory"

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, primary_key=True, related_name="schedule")
    planned_date = models.DateField(_("planned date"))
    days = models.PositiveSmallIntegerField(
        _("days"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    history = HistoricalRecords()
    objects: ClassVar[StaffOnlyQuerySet] = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment schedule")
        verbose_name_plural = _("assessment schedules")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=5), name="%(app_label)s_%(class)s_days"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} @ {self.planned_date}"


class Finding(models.Model):
    """The answer to one question (R-ASM-5). A non-compliance on a critical-issue question is critical."""

    FACTORY_PATH = "assessment__factory"

    class Result(models.TextChoices):
        COMPLIANT = "compliant", _("Compliant")
        NON_COMPLIANT = "non_compliant", _("Non-compliant")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="findings")
    question = models.ForeignKey("assessments.Question", on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=14, choices=Result.choices)
    notes = models.TextField(_("notes"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects: ClassVar[FindingQuerySet] = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=("assessment", "question"), name="%(app_label)s_%(class)s_one_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.result}"

    @property
    def is_critical(self) -> bool:
        return self.result == self.Result.NON_COMPLIANT and self.question.critical_issue_id is not None


class FindingMessage(models.Model):
    """The feedback thread on one finding: the factory's responses and the programme's replies (R-ASM-6)."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_factory = models.BooleanField(_("from the factory"))
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.text[:40]}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"evidence/{instance.finding.assessment_id}/{instance.finding.question_id}/{filename}"


class Evidence(models.Model):
    """A document or photo behind a finding: stored privately, served only through a permission check."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ("uploaded_at", "pk")

    def __str__(self) -> str:
        return str(self.name)


class FindingRevision(models.Model):
    """A correction to a finalised assessment (R-ASM-6): the old and new answer, who, when and why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("revision"))
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="revisions")
    previous_result = models.CharField(_("previous result"), max_length=14, choices=Finding.Result.choices)
    result = models.CharField(_("result"), max_length=14, choices=Finding.Result.choices)
    previous_notes = models.TextField(_("previous notes"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    reason = models.TextField(_("reason"))
    revised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revised_at = models.DateTimeField(_("revised"), auto_now_add=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ("number", "pk")
        constraints = [
            models.UniqueConstraint(fields=("finding", "number"), name="%(app_label)s_%(class)s_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} r{self.number}"


class PriorityNote(models.Model):
    """What the programme manager adds to a factory's assessment priority (R-ASM-4): stakeholder feedback
    (a buyer or a union raised concerns) or a manual override, each with points and a reason."""

    FACTORY_PATH = "factory"

    class Kind(models.TextChoices):
        STAKEHOLDER = "stakeholder", _("Stakeholder feedback")
        OVERRIDE = "override", _("Manual override")

    factory = models.ForeignKey("factories.Factory", on_delete=models.PROTECT, related_name="priority_notes")
    cycle = models.ForeignKey("factories.ServiceCycle", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    points = models.SmallIntegerField(
        _("points"), validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text=_("Added to the factory's priority score: positive moves it up, negative down."),
    )  # fmt: skip
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects: ClassVar[StaffOnlyQuerySet] = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("priority note")
        verbose_name_plural = _("priority notes")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=-100, points__lte=100), name="%(app_label)s_%(class)s_points_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.factory_id} {self.points:+d}"
