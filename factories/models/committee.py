"""The worker-management committee (PICC, LKS Bipartit, ...): members, meetings, outcomes and follow-up
actions (R-ADV-6). Maintained by the factory and its advisor; feeds Progress Report 1 and
differentiation criteria 2-4. Every change is kept in `history`."""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from betterwork.common.models import TimeStampedModel
from factories.querysets import FactoryInternalQuerySet


class Committee(TimeStampedModel):
    class Kind(models.TextChoices):
        PICC = "picc", _("Performance Improvement Consultative Committee (PICC)")
        LKSB = "lksb", _("Bipartite Cooperation Institution (LKS Bipartit)")
        OTHER = "other", _("Other worker-management committee")

    class Formation(models.TextChoices):
        ELECTION = "election", _("Worker members elected by workers")
        APPOINTMENT = "appointment", _("Members appointed")
        EXISTING_BODY = "existing_body", _("An existing body took the role")

    factory = models.OneToOneField("factories.Factory", on_delete=models.CASCADE, related_name="committee")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PICC)
    name = models.CharField(_("name"), max_length=200, blank=True)
    formed_on = models.DateField(_("established on"), null=True, blank=True)
    formation = models.CharField(_("how it was formed"), max_length=20, choices=Formation.choices, blank=True)
    formation_notes = models.TextField(_("formation, in more detail"), blank=True)
    election_date = models.DateField(_("election date"), null=True, blank=True)

    FACTORY_PATH = "factory"
    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} — {self.factory}"


class CommitteeMember(TimeStampedModel):
    class Side(models.TextChoices):
        MANAGEMENT = "management", _("Management")
        WORKER = "worker", _("Workers")
        UNION = "union", _("Union")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=200)
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    position = models.CharField(_("position"), max_length=200, blank=True)
    elected = models.BooleanField(_("elected by workers"), default=False)
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    left_on = models.DateField(_("left"), null=True, blank=True)

    FACTORY_PATH = "committee__factory"
    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ("side", "name")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(joined_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="%(app_label)s_%(class)s_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_side_display()})"


class CommitteeMeeting(TimeStampedModel):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    attendees = models.PositiveSmallIntegerField(_("attendees"), null=True, blank=True)
    minutes = models.TextField(_("minutes"))

    FACTORY_PATH = "committee__factory"
    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ("-held_on", "-id")

    def __str__(self) -> str:
        return f"{self.committee} — {self.held_on}"


class MeetingOutcome(TimeStampedModel):
    """A decision or result the meeting reached."""

    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.CASCADE, related_name="outcomes")
    text = models.TextField(_("outcome"))

    FACTORY_PATH = "meeting__committee__factory"
    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("meeting outcome")
        verbose_name_plural = _("meeting outcomes")
        ordering = ("id",)

    def __str__(self) -> str:
        return self.text[:60]


class FollowUpAction(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"))
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    priority = models.BooleanField(_("priority issue"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    FACTORY_PATH = "meeting__committee__factory"
    objects: ClassVar[FactoryInternalQuerySet] = FactoryInternalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ("status", "due_on", "id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="%(app_label)s_%(class)s_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]
