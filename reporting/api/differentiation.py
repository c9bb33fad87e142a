"""Service differentiation API (R-DIF): `GET /api/v1/factories/{id}/differentiation/` for the country's staff,
the factory's users and its authorised buyers (anyone else: 404; never public), and
`POST /api/v1/factories/{id}/differentiation/evaluations/` and `.../differentiation/feedback/` (R-DIF-4) for the
factory's advisor or the country's programme manager. Every rule lives in `reporting.services.differentiation`."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyViewSetMixin
from betterwork.common.exceptions import ApplicationError
from factories.models import Factory
from reporting.selectors_differentiation import differentiation_payload, evaluations_of
from reporting.services.differentiation import MAX_FEEDBACK, MAX_RATIONALE, evaluation_run, feedback_give


class CriterionOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    criterion = serializers.CharField()
    met = serializers.BooleanField(allow_null=True, help_text="null: not judged yet.")
    computed = serializers.BooleanField(help_text="Criteria 1, 6 and 7 are computed by the platform.")
    rationale = serializers.CharField()


class CurrentCriterionOutputSerializer(CriterionOutputSerializer):
    provisional = serializers.BooleanField(help_text="Computed before the factory has two closed assessments.")
    source = serializers.ChoiceField(choices=["live", "evaluation", "none"])


class JudgementOutputSerializer(CriterionOutputSerializer):
    number = serializers.IntegerField(source="criterion_id")
    criterion = serializers.CharField(source="criterion.tr.criterion")


class EvaluationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    evaluated_on = serializers.DateField()
    evaluated_by = serializers.SerializerMethodField()
    assessments_counted = serializers.IntegerField()
    all_met = serializers.BooleanField()
    stage_before = serializers.IntegerField()
    stage_after = serializers.IntegerField()
    feedback = serializers.CharField()
    judgements = JudgementOutputSerializer(many=True)

    def get_evaluated_by(self, evaluation) -> str:
        user = evaluation.evaluated_by
        return user.get_full_name() or user.username


class StageChangeOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    stage_from = serializers.IntegerField()
    stage_to = serializers.IntegerField()
    reason = serializers.CharField()


class FeedbackOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    written_on = serializers.DateField()
    written_by = serializers.SerializerMethodField()
    text = serializers.CharField()

    def get_written_by(self, feedback) -> str:
        user = feedback.written_by
        return user.get_full_name() or user.username


class FeedbackInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_FEEDBACK, help_text="Feedback on the progress toward stage 2.")


class DifferentiationOutputSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    eligible = serializers.BooleanField(help_text="Two closed assessments: an evaluation may run (R-DIF-1).")
    assessments_counted = serializers.IntegerField()
    criteria = CurrentCriterionOutputSerializer(many=True)
    missing = serializers.SerializerMethodField(help_text="Numbers of the criteria not (yet) met for stage 2.")
    evaluations = EvaluationOutputSerializer(many=True)
    stage_changes = StageChangeOutputSerializer(many=True)
    feedback = FeedbackOutputSerializer(many=True, help_text="R-DIF-4: written at any time, newest first.")

    def get_missing(self, payload) -> list[int]:
        return [row.number for row in payload["missing"]]


class JudgementInputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    met = serializers.BooleanField(allow_null=True, required=False, default=None)
    rationale = serializers.CharField(allow_blank=True, required=False, default="", max_length=MAX_RATIONALE)


class EvaluationInputSerializer(serializers.Serializer):
    judgements = JudgementInputSerializer(
        many=True, help_text="One entry per judged criterion (2, 3, 4, 5, 8, 9): met and a rationale."
    )
    feedback = serializers.CharField(allow_blank=True, required=False, default="", max_length=MAX_FEEDBACK)


class EvaluationCreatedSerializer(EvaluationOutputSerializer):
    stage = serializers.IntegerField(source="factory.stage", help_text="The factory's stage after the evaluation.")


class FactoryDifferentiationViewSet(PolicyViewSetMixin, viewsets.GenericViewSet):
    """Detail actions on the "factories" prefix: the factory must be visible (else 404); the service checks who
    may evaluate (403)."""

    policy_model = Factory
    policy = {"differentiation": VIEW, "evaluations": VIEW, "feedback": VIEW}

    @extend_schema(responses=DifferentiationOutputSerializer)
    @action(detail=True, methods=["get"])
    def differentiation(self, request: Request, pk: str | None = None) -> Response:
        return Response(DifferentiationOutputSerializer(differentiation_payload(self.get_object())).data)

    @extend_schema(request=EvaluationInputSerializer, responses={201: EvaluationCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="differentiation/evaluations")
    def evaluations(self, request: Request, pk: str | None = None) -> Response:
        factory = self.get_object()
        payload = EvaluationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        judgements: dict[int, dict] = {}
        for entry in payload.validated_data["judgements"]:
            if entry["number"] in judgements:
                raise ApplicationError(
                    gettext("Criterion %(n)s is judged twice.") % {"n": entry["number"]}, field="judgements"
                )
            judgements[entry["number"]] = {"met": entry["met"], "rationale": entry["rationale"]}
        evaluation = evaluation_run(
            factory=factory, actor=request.user, judgements=judgements, feedback=payload.validated_data["feedback"]
        )
        evaluation = next(e for e in evaluations_of(factory) if e.pk == evaluation.pk)
        return Response(EvaluationCreatedSerializer(evaluation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FeedbackInputSerializer, responses={201: FeedbackOutputSerializer})
    @action(detail=True, methods=["post"], url_path="differentiation/feedback")
    def feedback(self, request: Request, pk: str | None = None) -> Response:
        """R-DIF-4: the factory's advisor or the country's programme manager, at any time."""
        factory = self.get_object()
        payload = FeedbackInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        written = feedback_give(factory=factory, actor=request.user, text=payload.validated_data["text"])
        return Response(FeedbackOutputSerializer(written).data, status=status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    router.register("factories", FactoryDifferentiationViewSet, basename="factorydifferentiation")
