"""Query-parameter filters of the question bank and the assessments lists (django-filter).

Only the parameters declared here have an effect: nothing filters or orders by the planned date (R-ASM-3).
"""

from typing import Any

import django_filters
from django.db.models import QuerySet

from assessments.models import Assessment, Question
from assessments.services.questions import current_version
from betterwork.common.api.filters import IdFilter

TOOLS = (("full", "full"), ("focused", "focused"))


class QuestionFilterSet(django_filters.FilterSet):
    """`version` defaults to the current version of the tool; `country` gives the questions that apply there
    (its variants and country questions, and the global questions it has no variant of, R-ASM-1)."""

    critical_issue = django_filters.CharFilter(field_name="critical_issue_id", help_text="A critical-issue code.")
    cluster = django_filters.CharFilter(field_name="cluster_id", help_text="A cluster code.")
    country = django_filters.CharFilter(method="filter_country", help_text="ISO country code.")
    version = IdFilter(field_name="version", max_value=32767, help_text="Tool version (default: the current one).")
    tool = django_filters.ChoiceFilter(choices=TOOLS, method="filter_tool", help_text="full or focused (R-ASM-2).")

    class Meta:
        model = Question
        fields: tuple[str, ...] = ()

    def filter_country(self, queryset: QuerySet[Question], name: str, value: str) -> QuerySet[Question]:
        return queryset.for_country(value.strip().upper())

    def filter_tool(self, queryset: QuerySet[Question], name: str, value: str) -> QuerySet[Question]:
        return queryset.filter(in_full_tool=True) if value == "full" else queryset.filter(in_focused_tool=True)

    def filter_queryset(self, queryset: QuerySet[Question]) -> QuerySet[Question]:
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("version") is None:
            queryset = queryset.filter(version=current_version())
        return queryset


class AssessmentFilterSet(django_filters.FilterSet):
    """`factory`, `status`; `cycle` for programme staff only (ignored for anyone else)."""

    factory = IdFilter(field_name="factory_id")
    status = django_filters.ChoiceFilter(choices=Assessment.Status.choices)
    cycle = IdFilter(method="filter_cycle", help_text="Programme staff only.")

    class Meta:
        model = Assessment
        fields: tuple[str, ...] = ()

    def filter_cycle(self, queryset: QuerySet[Assessment], name: str, value: Any) -> QuerySet[Assessment]:
        user = getattr(self.request, "user", None)
        if user is None or not getattr(user, "is_programme_staff", False):
            return queryset
        return queryset.filter(cycle_id=value)
