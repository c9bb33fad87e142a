"""The compliance assessment tool (CAT, R-ASM-1/2): clusters → compliance points → questions.

The first two levels are global; questions reflect national law. A question with no country is global and
applies everywhere unless a country variant replaces it there: a variant names the global question it
stands for in `global_code` (as the programme's own data maps every country question to a global
identifier). A question with a country and `global_code == code` exists in that country only.
"""

from typing import Any, ClassVar, Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from betterwork.common.querysets import PublicReferenceQuerySet
from betterwork.common.translations import ReferenceText


class CompliancePoint(ReferenceText, models.Model):
    code = models.CharField(_("code"), max_length=12, primary_key=True)
    cluster = models.ForeignKey(
        "assessments.Cluster", verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="compliance_points"
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"))

    objects: ClassVar[PublicReferenceQuerySet] = PublicReferenceQuerySet.as_manager()
    translated_fields = ("name",)

    class Meta:
        verbose_name = _("compliance point")
        verbose_name_plural = _("compliance points")
        ordering = ("cluster__position", "position")

    def __str__(self) -> str:
        return self.tr.name


class QuestionQuerySet(PublicReferenceQuerySet):
    def for_country(self, country: Any) -> Self:
        """The questions that apply in `country` (a code): its variants and country questions, and the
        global questions it has no variant of."""
        replaced = self.model.objects.filter(country=country).exclude(code=models.F("global_code"))
        return self.filter(Q(country__isnull=True) | Q(country=country)).exclude(
            country__isnull=True, code__in=replaced.values("global_code")
        )

    def for_tool(self, modality: str) -> Self:
        """R-ASM-2: on-site assessments use the full tool; virtual and hybrid ones the focused tool."""
        return self.filter(in_full_tool=True) if modality == "onsite" else self.filter(in_focused_tool=True)


class Question(ReferenceText, models.Model):
    class NonCompliantAnswer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")

    class ManagementSystem(models.TextChoices):
        NONE = "", _("No")
        HR = "hr", _("Human resources")
        OSH = "osh", _("Occupational safety and health")

    version = models.PositiveSmallIntegerField(_("version"))
    code = models.CharField(_("code"), max_length=30)
    global_code = models.CharField(_("global question"), max_length=30)
    country = models.ForeignKey(
        "factories.Country", verbose_name=_("country"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    compliance_point = models.ForeignKey(
        CompliancePoint, verbose_name=_("compliance point"), on_delete=models.PROTECT, related_name="questions"
    )
    cluster = models.ForeignKey("assessments.Cluster", verbose_name=_("cluster"), on_delete=models.PROTECT)
    text = models.TextField(_("text"))
    noncompliant_answer = models.CharField(
        _("non-compliant answer"), max_length=3, choices=NonCompliantAnswer.choices,
        help_text=_("Some questions are asked so that “Yes” is the finding, others so that “No” is."),
    )  # fmt: skip
    critical_issue = models.ForeignKey(
        "assessments.CriticalIssue", verbose_name=_("critical issue"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="questions",
    )  # fmt: skip
    management_system = models.CharField(
        _("management-system question"), max_length=3, choices=ManagementSystem.choices, blank=True
    )
    in_full_tool = models.BooleanField(_("in the full tool"), default=True)
    in_focused_tool = models.BooleanField(_("in the focused tool"), default=False)
    position = models.PositiveSmallIntegerField(_("position"))

    objects: ClassVar[QuestionQuerySet] = QuestionQuerySet.as_manager()
    translated_fields = ("text",)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ("cluster__position", "compliance_point__position", "position", "code")
        constraints = [
            models.UniqueConstraint(fields=("version", "code"), name="%(app_label)s_%(class)s_unique_code"),
            models.CheckConstraint(
                condition=Q(country__isnull=False) | Q(code=models.F("global_code")),
                name="%(app_label)s_%(class)s_global_is_its_own_id",
            ),
            models.CheckConstraint(
                condition=Q(in_full_tool=True) | Q(in_focused_tool=True), name="%(app_label)s_%(class)s_in_a_tool"
            ),
            models.CheckConstraint(
                condition=Q(critical_issue__isnull=True) | Q(in_focused_tool=True),
                name="%(app_label)s_%(class)s_critical_in_focused",
            ),  # R-ASM-2: every assessment covers at least the critical issues
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"

    def translation_id(self) -> str:
        return f"{self.version}/{self.code}"

    def translation_languages(self) -> list[str] | None:
        """A question of one country is read in that country's languages only (#10)."""
        return self.country.languages if self.country_id else None

    @classmethod
    def translation_objects(cls) -> QuestionQuerySet:
        return cls.objects.select_related("country")

    def result_for(self, answer: str) -> str:
        """The finding an assessor's yes/no answer means for this question."""
        return "non_compliant" if answer == self.noncompliant_answer else "compliant"
