"""/api/v1/ for training courses, sessions, enrolments, bought days and industry seminars (../shared/API.md
"Training"; R-TRN, R-CYC-7, R-CTY-3/4). Views stay thin: every rule lives in `training.services`."""

from typing import Any

from django.db.models import Sum
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from assessments.models import Cluster
from betterwork.accounts.models import Role
from betterwork.accounts.policy import visible
from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet, PolicyViewSetMixin
from betterwork.common.exceptions import ApplicationError
from factories.models import Factory, Modality, ServiceCycle
from training import services
from training.allowances import participant_days_allowance
from training.models import (
    Course,
    Enrolment,
    Seminar,
    SeminarParticipation,
    TrainingPurchase,
    TrainingSession,
)
from training.selectors import suggestions

# --- serializers -----------------------------------------------------------------------------------------------


class CourseSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id", required=False)
    cluster = serializers.SlugRelatedField(slug_field="code", queryset=Cluster.objects.all(), required=False,
                                           allow_null=True)  # fmt: skip
    days = serializers.IntegerField(help_text="1 to 5.")
    title_translations = serializers.DictField(
        child=serializers.CharField(max_length=200, allow_blank=True), required=False,
        help_text="The title in other languages of the platform: language code → title.",
    )  # fmt: skip

    class Meta:
        model = Course
        fields = ("id", "title", "title_translations", "days", "country", "topic", "cluster", "modality", "language")


class SessionSerializer(serializers.ModelSerializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.none())
    days = serializers.IntegerField(required=False, help_text="Defaults to the course's days; at most that.")
    modality = serializers.ChoiceField(choices=Modality.choices, required=False)
    capacity = serializers.IntegerField()
    seats_left = serializers.SerializerMethodField()

    class Meta:
        model = TrainingSession
        fields = ("id", "course", "start_date", "days", "modality", "capacity", "venue", "link", "trainer",
                  "seats_left")  # fmt: skip

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["course"].queryset = visible(request.user, Course)
        return fields

    def get_seats_left(self, session: TrainingSession) -> int:
        taken = getattr(session, "seats_taken", None)
        if taken is None:
            taken = services.enrolment.seats_taken(session)
        return max(session.capacity - (taken or 0), 0)


class EnrolmentInputSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    factory = serializers.IntegerField(required=False, help_text="A factory user's own factory by default.")
    participants = serializers.IntegerField(help_text="Uses participants × session days of the cycle's allowance.")
    names = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)


class EnrolmentSerializer(serializers.ModelSerializer):
    names = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = ("id", "session", "factory", "cycle", "participants", "participant_days", "paid_only", "names",
                  "created_at")  # fmt: skip

    def get_names(self, enrolment: Enrolment) -> list[str]:
        return [p.name for p in enrolment.people.all()]


class NamesInputSerializer(serializers.Serializer):
    names = serializers.ListField(child=serializers.CharField(max_length=200), allow_empty=False)


class AttendanceInputSerializer(serializers.Serializer):
    day = serializers.DateField()
    records = serializers.ListField(
        child=serializers.DictField(), allow_empty=False,
        help_text='[{"participant": id, "present": true|false}]: participants of this session only.',
    )  # fmt: skip


class PurchaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingPurchase
        fields = ("id", "factory", "cycle", "participant_days", "invoice_number", "amount", "currency", "created_at")


class PurchaseInputSerializer(serializers.Serializer):
    factory = serializers.IntegerField()
    participant_days = serializers.IntegerField(help_text="Extra participant-days bought for the open cycle.")
    invoice_number = serializers.CharField(max_length=30)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")


class SeminarSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id", required=False)
    cluster = serializers.SlugRelatedField(slug_field="code", queryset=Cluster.objects.all(), required=False,
                                           allow_null=True)  # fmt: skip
    capacity = serializers.IntegerField(required=False, help_text="At most 80 participants (R-TRN-3).")

    class Meta:
        model = Seminar
        fields = ("id", "title", "topic", "cluster", "country", "date", "length", "modality", "venue", "capacity")


class ParticipationInputSerializer(serializers.Serializer):
    seminar = serializers.IntegerField()
    factory = serializers.IntegerField(required=False)
    participants = serializers.IntegerField()


class ParticipationSerializer(serializers.ModelSerializer):
    class Meta:
        model = SeminarParticipation
        fields = ("id", "seminar", "factory", "cycle", "participants", "action_plan_at")


class ActionSerializer(serializers.Serializer):
    cluster = serializers.CharField()
    text = serializers.CharField(max_length=500)
    action = serializers.CharField(required=False, allow_blank=True, max_length=5_000, default="")


class ActionPlanInputSerializer(serializers.Serializer):
    actions = ActionSerializer(many=True, allow_empty=False)


class TrainingAllowanceSerializer(serializers.Serializer):
    included = serializers.IntegerField(help_text="25 participant-days per cycle (R-TRN-2).")
    purchased = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()


class SuggestionSerializer(serializers.Serializer):
    cluster = serializers.CharField(source="cluster.code")
    issues = serializers.IntegerField(help_text="Non-compliances in the cluster at the last finalised assessment.")
    sessions = serializers.SerializerMethodField()
    seminars = serializers.SerializerMethodField()

    def get_sessions(self, suggestion: Any) -> list[int]:
        return [session.pk for session in suggestion.sessions]

    def get_seminars(self, suggestion: Any) -> list[int]:
        return [seminar.pk for seminar in suggestion.seminars]


# --- helpers ---------------------------------------------------------------------------------------------------

CHOOSE = {"session": lambda: gettext("Choose a session."), "seminar": lambda: gettext("Choose a seminar.")}


def _factory_id(request: Request, given: int | None) -> int:
    """The factory named in the body, if the caller sees it (a factory user's own by default); else 400."""
    if given is None and request.user.effective_role == Role.FACTORY:
        given = request.user.factory_id
    if given is None or not visible(request.user, Factory).filter(pk=given).exists():
        raise ApplicationError(gettext("Choose a factory."), field="factory")
    return given


def _visible_id(request: Request, model: type, pk: int, field: str) -> int:
    """The session or seminar named in the body, if the caller sees it; else 400 (never confirming it exists)."""
    if not visible(request.user, model).filter(pk=pk).exists():
        raise ApplicationError(CHOOSE[field](), field=field)
    return pk


# --- viewsets --------------------------------------------------------------------------------------------------


class CourseViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """`GET|POST /api/v1/training-courses/`: the catalogue of the caller's country (R-TRN-1); programme staff
    create courses (1–5 days) in their own country."""

    policy_model = Course
    policy = {"list": VIEW, "retrieve": VIEW, "create": "add"}
    serializer_class = CourseSerializer
    filterset_fields = ("country", "cluster", "modality")
    search_fields = ("title", "topic")

    def scoped_queryset(self, queryset):
        return queryset.select_related("cluster").order_by("title", "id")

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = CourseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        course = services.course_create(actor=request.user, country=data.pop("country_id", None), **data)
        return Response(CourseSerializer(course).data, status=status.HTTP_201_CREATED)


class SessionViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """`GET|POST /api/v1/training-sessions/`: sessions of visible courses; programme staff create them (at most
    as many days as the course). `POST .../{id}/attendance/` records one day's attendance (staff)."""

    policy_model = TrainingSession
    policy = {"list": VIEW, "retrieve": VIEW, "create": "add", "attendance": VIEW}
    serializer_class = SessionSerializer
    filterset_fields = ("course", "modality", "start_date")

    def scoped_queryset(self, queryset):
        return queryset.annotate(seats_taken=Sum("enrolments__participants")).order_by("start_date", "id")

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = SessionSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        session = services.session_create(actor=request.user, **payload.validated_data)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceInputSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        payload = AttendanceInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        present = {}
        for record in payload.validated_data["records"]:
            try:
                present[int(record["participant"])] = bool(record.get("present", True))
            except (KeyError, TypeError, ValueError):
                raise ApplicationError(gettext("Each record names a participant id."), field="participant") from None
        saved = services.attendance_record(
            actor=request.user, session_id=session.pk, day=payload.validated_data["day"], present=present
        )
        return Response({"saved": saved})


class EnrolmentViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """`POST /api/v1/enrollments/` (factory user, programme staff): `{"session", "factory", "participants"}`;
    uses participants × session days of the cycle's participant-days; beyond `remaining` → 400 naming the figure
    (R-TRN-2). A full or past session, zero or negative participants → 400. Without an open cycle the
    enrolment is paid only (R-CTY-4). `POST .../{id}/participants/` names participants."""

    policy_model = Enrolment
    policy = {"list": VIEW, "retrieve": VIEW, "create": "add", "participants": VIEW}
    serializer_class = EnrolmentSerializer
    filterset_fields = ("factory", "session", "cycle")

    def scoped_queryset(self, queryset):
        return queryset.prefetch_related("people").order_by("-created_at", "-id")

    @extend_schema(request=EnrolmentInputSerializer, responses={201: EnrolmentSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = EnrolmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        enrolment = services.enrol(
            actor=request.user,
            session_id=_visible_id(request, TrainingSession, data["session"], "session"),
            factory_id=_factory_id(request, data.get("factory")),
            participants=data["participants"],
            names=data["names"],
        )
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NamesInputSerializer, responses={200: EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def participants(self, request: Request, pk: str | None = None) -> Response:
        enrolment = self.get_object()
        payload = NamesInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.participants_name(actor=request.user, enrolment_id=enrolment.pk, names=payload.validated_data["names"])
        return Response(EnrolmentSerializer(self.get_queryset().get(pk=enrolment.pk)).data)


class PurchaseViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """`GET|POST /api/v1/training-purchases/`: extra participant-days bought for a factory's open cycle, with
    the invoice number (R-TRN-2); recorded by the country's advisors and programme manager."""

    policy_model = TrainingPurchase
    policy = {"list": VIEW, "retrieve": VIEW, "create": "add"}
    serializer_class = PurchaseSerializer
    filterset_fields = ("factory", "cycle")

    @extend_schema(request=PurchaseInputSerializer, responses={201: PurchaseSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = PurchaseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        purchase = services.purchase_record(
            actor=request.user, factory_id=_factory_id(request, data.pop("factory")), **data
        )
        return Response(PurchaseSerializer(purchase).data, status=status.HTTP_201_CREATED)


class SeminarViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """`GET|POST /api/v1/seminars/`: industry seminars of the caller's country (R-TRN-3): half or full day, at
    most 80 participants; programme staff create them."""

    policy_model = Seminar
    policy = {"list": VIEW, "retrieve": VIEW, "create": "add"}
    serializer_class = SeminarSerializer
    filterset_fields = ("country", "cluster", "date")

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = SeminarSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        seminar = services.seminar_create(
            actor=request.user, country=data.pop("country_id", None), on=data.pop("date"), **data
        )
        return Response(SeminarSerializer(seminar).data, status=status.HTTP_201_CREATED)


class ParticipationViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """`POST /api/v1/seminar-participations/`: a programme factory joins a seminar (4 per cycle, R-TRN-3);
    `POST .../{id}/action-plan/` `{"actions": [{"cluster", "text", "action"}]}`: after the seminar, each action
    becomes an improvement-plan item with source `seminar`."""

    policy_model = SeminarParticipation
    policy = {"list": VIEW, "retrieve": VIEW, "create": "add", "action_plan": VIEW}
    serializer_class = ParticipationSerializer
    filterset_fields = ("factory", "seminar", "cycle")

    @extend_schema(request=ParticipationInputSerializer, responses={201: ParticipationSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = ParticipationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        participation = services.seminar_join(
            actor=request.user,
            seminar_id=_visible_id(request, Seminar, data["seminar"], "seminar"),
            factory_id=_factory_id(request, data.get("factory")),
            participants=data["participants"],
        )
        return Response(ParticipationSerializer(participation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionPlanInputSerializer, responses={201: None})
    @action(detail=True, methods=["post"], url_path="action-plan")
    def action_plan(self, request: Request, pk: str | None = None) -> Response:
        participation = self.get_object()
        payload = ActionPlanInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        actions = services.action_plan_submit(
            actor=request.user, participation_id=participation.pk, actions=payload.validated_data["actions"]
        )
        return Response({"actions": [a.pk for a in actions]}, status=status.HTTP_201_CREATED)


class CycleTrainingAllowanceViewSet(PolicyViewSetMixin, viewsets.GenericViewSet):
    """`GET /api/v1/cycles/{id}/training-allowance/`: `{"included": 25, "purchased", "used", "remaining"}` in
    participant-days (R-TRN-2, R-CYC-7); for the country's staff and the factory itself (buyers: 404)."""

    policy_model = ServiceCycle
    policy = {"training_allowance": VIEW}

    @extend_schema(responses=TrainingAllowanceSerializer)
    @action(detail=True, methods=["get"], url_path="training-allowance")
    def training_allowance(self, request: Request, pk: str | None = None) -> Response:
        if request.user.effective_role == Role.BUYER:
            raise Http404
        allowance = participant_days_allowance(self.get_object())
        return Response(TrainingAllowanceSerializer({
            "included": int(allowance.included), "purchased": int(allowance.purchased), "used": int(allowance.used),
            "remaining": int(allowance.remaining),
        }).data)  # fmt: skip


class FactoryTrainingViewSet(PolicyViewSetMixin, viewsets.GenericViewSet):
    """`GET /api/v1/factories/{id}/training-suggestions/`: upcoming sessions and seminars addressing the clusters
    with the most non-compliances at the factory's last finalised assessment (buyers: 404)."""

    policy_model = Factory
    policy = {"training_suggestions": VIEW}

    @extend_schema(responses=SuggestionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="training-suggestions", pagination_class=None)
    def training_suggestions(self, request: Request, pk: str | None = None) -> Response:
        if request.user.effective_role == Role.BUYER:
            raise Http404
        return Response(SuggestionSerializer(suggestions(self.get_object()), many=True).data)


def register(router: DefaultRouter) -> None:
    router.register("training-courses", CourseViewSet, basename="trainingcourse")
    router.register("training-sessions", SessionViewSet, basename="trainingsession")
    router.register("enrollments", EnrolmentViewSet, basename="enrollment")
    router.register("training-purchases", PurchaseViewSet, basename="trainingpurchase")
    router.register("seminars", SeminarViewSet, basename="seminar")
    router.register("seminar-participations", ParticipationViewSet, basename="seminarparticipation")
    router.register("cycles", CycleTrainingAllowanceViewSet, basename="cycletrainingallowance")
    router.register("factories", FactoryTrainingViewSet, basename="factorytraining")
