"""Shapes of the question bank and assessments API (API.md "Assessment tool (CAT)", "Assessments").

The planned date, the number of days and the assessors exist for programme staff only (R-ASM-3): the
assessment serializers drop those fields for anyone else, whatever the assessment's state.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.models import Assessment, Evidence, Finding, FindingMessage, FindingRevision, PriorityNote, Question
from betterwork.accounts.policy import visible
from betterwork.common.api.schema import optional_in_schema
from factories.models import Factory, Modality

STAFF_ONLY = ("planned_date", "days", "assessors")


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_programme_staff", False))


def _visible_factories(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")  # absent while the OpenAPI schema is generated
    return visible(request.user, Factory) if request else Factory.objects.none()


# The question bank ---------------------------------------------------------------------------------------


class QuestionOutputSerializer(serializers.ModelSerializer):
    cluster = serializers.CharField(source="cluster_id")
    compliance_point = serializers.CharField(source="compliance_point_id")
    critical_issue = serializers.CharField(source="critical_issue_id", allow_null=True)
    country = serializers.CharField(source="country_id", allow_null=True)
    management_system = serializers.SerializerMethodField()
    text = serializers.CharField(source="tr.text", help_text="In the language of the request (English by default).")

    class Meta:
        model = Question
        fields = ("code", "global_code", "version", "cluster", "compliance_point", "text", "noncompliant_answer",
                  "critical_issue", "management_system", "country", "in_full_tool", "in_focused_tool")  # fmt: skip
        read_only_fields = fields

    def get_management_system(self, question: Question) -> bool:
        return bool(question.management_system)


# Assessments: output -------------------------------------------------------------------------------------


class MessageOutputSerializer(serializers.ModelSerializer):
    author = serializers.IntegerField(source="author_id")
    author_name = serializers.SerializerMethodField()
    question = serializers.CharField(source="finding.question.code")

    class Meta:
        model = FindingMessage
        fields = ("id", "question", "author", "author_name", "from_factory", "text", "created_at")
        read_only_fields = fields

    def get_author_name(self, message: FindingMessage) -> str:
        return message.author.get_full_name() or message.author.username


class ThreadMessageSerializer(MessageOutputSerializer):
    class Meta(MessageOutputSerializer.Meta):
        fields = ("author", "author_name", "from_factory", "text", "created_at")
        read_only_fields = fields


class FindingOutputSerializer(serializers.ModelSerializer):
    """A finding with its question's codes; `factory_response` is the factory's latest response (or null).
    Buyers get no thread."""

    question = serializers.CharField(source="question.code")
    global_question = serializers.CharField(source="question.global_code")
    text = serializers.CharField(source="question.tr.text")
    cluster = serializers.CharField(source="question.cluster_id")
    compliance_point = serializers.CharField(source="question.compliance_point_id")
    critical_issue = serializers.CharField(source="question.critical_issue_id", allow_null=True)
    factory_response = serializers.SerializerMethodField()
    thread = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = ("question", "global_question", "text", "cluster", "compliance_point", "critical_issue", "result",
                  "notes", "factory_response", "thread")  # fmt: skip
        read_only_fields = fields

    def get_factory_response(self, finding: Finding) -> str | None:
        responses = [m for m in finding.messages.all() if m.from_factory]
        return responses[-1].text if responses else None

    @staticmethod
    def _sees_thread(context: dict) -> bool:
        request = context.get("request")
        return request is None or getattr(request.user, "effective_role", None) != "buyer"

    @extend_schema_field(ThreadMessageSerializer(many=True))
    def get_thread(self, finding: Finding) -> list[dict[str, Any]]:
        if not self._sees_thread(self.context):
            return []
        return ThreadMessageSerializer(finding.messages.all(), many=True).data


@optional_in_schema(*STAFF_ONLY)
class AssessmentSummarySerializer(serializers.ModelSerializer):
    """The list's rows. `planned_date`, `days` and `assessors` are programme staff only (R-ASM-3)."""

    factory_name = serializers.CharField(source="factory.name")
    findings_accepted = serializers.SerializerMethodField()
    planned_date = serializers.DateField(source="schedule.planned_date", help_text="Programme staff only.")
    days = serializers.IntegerField(source="schedule.days", help_text="Programme staff only.")
    assessors = serializers.SerializerMethodField(help_text="User ids; programme staff only.")

    class Meta:
        model = Assessment
        fields = ("id", "factory", "factory_name", "cycle", "modality", "status", "cat_version", "started_on",
                  "submitted_on", "feedback_deadline", "findings_accepted", "findings_accepted_at", "finalised_at",
                  "published_at", "revision", *STAFF_ONLY)  # fmt: skip
        read_only_fields = fields

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and not is_staff(request.user):
            for name in STAFF_ONLY:
                self.fields.pop(name, None)

    def get_findings_accepted(self, assessment: Assessment) -> bool:
        return assessment.findings_accepted_at is not None

    def get_assessors(self, assessment: Assessment) -> list[int]:
        return sorted(person.pk for person in assessment.assessors.all())


class AssessmentOutputSerializer(AssessmentSummarySerializer):
    """The detail: the summary and the findings the caller may see (factory users from submission on)."""

    findings = FindingOutputSerializer(source="shown_findings", many=True)

    class Meta(AssessmentSummarySerializer.Meta):
        fields = (*AssessmentSummarySerializer.Meta.fields, "findings")
        read_only_fields = fields


class RevisionOutputSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="finding.question.code")
    previous_result = serializers.CharField(help_text="compliant, non_compliant or not_applicable")

    class Meta:
        model = FindingRevision
        fields = ("id", "assessment", "number", "question", "previous_result", "result", "previous_notes", "notes",
                  "reason", "revised_by", "revised_at")  # fmt: skip
        read_only_fields = fields


class EvidenceOutputSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="finding.question.code")
    type = serializers.CharField(source="content_type")

    class Meta:
        model = Evidence
        fields = ("id", "question", "name", "type", "size", "uploaded_at")
        read_only_fields = fields


class SavedOutputSerializer(serializers.Serializer):
    saved = serializers.IntegerField(help_text="Answers created or changed by this request.")
    answered = serializers.IntegerField(help_text="Questions answered so far.")
    total = serializers.IntegerField(help_text="Questions this assessment asks.")


class FactoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReasonOutputSerializer(serializers.Serializer):
    points = serializers.IntegerField()
    text = serializers.CharField()


class CandidateOutputSerializer(serializers.Serializer):
    factory = FactoryRefSerializer()
    cycle = serializers.IntegerField(source="cycle.pk")
    due_date = serializers.DateField()
    score = serializers.IntegerField()
    reasons = ReasonOutputSerializer(many=True)


class PriorityNoteOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriorityNote
        fields = ("id", "factory", "cycle", "kind", "points", "reason", "created_by", "created_at")
        read_only_fields = fields


# Assessments: input --------------------------------------------------------------------------------------


class PlanInputSerializer(serializers.Serializer):
    factory = serializers.PrimaryKeyRelatedField(queryset=Factory.objects.none())
    planned_date = serializers.DateField()
    modality = serializers.ChoiceField(choices=Modality.choices)
    assessors = serializers.ListField(child=serializers.IntegerField(), max_length=10, help_text="User ids.")
    days = serializers.IntegerField(required=False, default=2, min_value=1, max_value=5)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["factory"].queryset = _visible_factories(self)


class RescheduleInputSerializer(serializers.Serializer):
    planned_date = serializers.DateField(required=False)
    modality = serializers.ChoiceField(choices=Modality.choices, required=False)
    assessors = serializers.ListField(child=serializers.IntegerField(), max_length=10, required=False)
    days = serializers.IntegerField(required=False, min_value=1, max_value=5)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2_000)


class StartInputSerializer(serializers.Serializer):
    started_on = serializers.DateField(required=False, allow_null=True, help_text="Default: today in the country.")


class SubmitInputSerializer(serializers.Serializer):
    submitted_on = serializers.DateField(required=False, allow_null=True, help_text="Default: today in the country.")


class AnswerInputSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=30, help_text="The question's code (or its global code).")
    result = serializers.ChoiceField(choices=Finding.Result.choices)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")


class NotesInputSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=10_000)


class EvidenceInputSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=30)
    file = serializers.FileField(help_text="A JPEG or PNG photo, or a PDF document.")


class MessageInputSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=30)
    text = serializers.CharField(max_length=5_000)


class RevisionInputSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=30)
    result = serializers.ChoiceField(choices=Finding.Result.choices)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")
    reason = serializers.CharField(max_length=2_000)


class PriorityNoteInputSerializer(serializers.Serializer):
    factory = serializers.PrimaryKeyRelatedField(queryset=Factory.objects.none())
    kind = serializers.ChoiceField(choices=PriorityNote.Kind.choices)
    points = serializers.IntegerField(min_value=-100, max_value=100)
    reason = serializers.CharField(max_length=2_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["factory"].queryset = _visible_factories(self)
