"""The milestones of a service cycle (R-CYC-8) and the notices the sweep sends about them.

Stored state is only what people or events decide: planned, done (with when), cancelled. "Due" and
"overdue" are computed from the date (MilestoneQuerySet.with_state), so they are never stale.
"""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from factories.querysets import MilestoneQuerySet


class Milestone(models.Model):
    class Kind(models.TextChoices):
        INITIAL_ADVISORY_END = "initial_advisory_end", _("End of the initial advisory phase")
        ASSESSMENT = "assessment", _("Assessment")
        ASSESSMENT_REPORT_RELEASE = "assessment_report_release", _("Assessment report released")
        PROGRESS_REPORT_1 = "progress_report_1", _("Progress Report 1")
        PROGRESS_REPORT_2 = "progress_report_2", _("Progress Report 2")
        FINAL_VISIT = "final_visit", _("Final evaluation visit")
        CYCLE_END = "cycle_end", _("End of the cycle")

    class State(models.TextChoices):  # stored; the API adds the computed "due" and "overdue"
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Owner(models.TextChoices):
        ADVISOR = "advisor", _("Enterprise advisor")
        PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
        FACTORY = "factory", _("Factory")
        SYSTEM = "system", _("The platform")

    FACTORY_PATH = "cycle__factory"
    cycle = models.ForeignKey("factories.ServiceCycle", on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=30, choices=Kind.choices)
    due_date = models.DateField(_("due"))
    owner = models.CharField(_("owner"), max_length=20, choices=Owner.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    objects: ClassVar[MilestoneQuerySet] = MilestoneQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ("due_date", "id")
        constraints = [
            models.UniqueConstraint(fields=("cycle", "kind"), name="%(app_label)s_%(class)s_one_per_kind"),
            models.CheckConstraint(
                condition=Q(state="done", done_at__isnull=False) | (~Q(state="done") & Q(done_at__isnull=True)),
                name="%(app_label)s_%(class)s_done_has_time",
            ),
        ]
        indexes = [models.Index(fields=("state", "due_date"), name="factories_milestone_sweep")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.due_date}"


class MilestoneNotice(models.Model):
    """One effect of the sweep (a reminder at a lead time, the overdue notice): the unique pair makes each
    happen once, however many sweeps run, even at the same time."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="notices")
    key = models.CharField(max_length=30)  # "reminder-14", "reminder-3", "overdue"
    sweep = models.UUIDField(db_index=True)  # the sweep that won the insert: only it notifies
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("milestone", "key"), name="%(app_label)s_%(class)s_once"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id}:{self.key}"
