"""API for the worker-management committee (R-ADV-6): committees, members, meetings with their outcomes,
follow-up actions, and the history of every change.

Rows are scoped by `visible()` (another factory's committee, or any committee for a buyer, answers 404);
every writable reference (factory, committee, meeting) is looked up in the caller's scope, so another
factory's id answers 400 and nothing is written. The services decide who may change what (403 for an
assessor, who may read but not change)."""

from typing import Any

import django_filters
from django.db import IntegrityError
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from betterwork.accounts.policy import visible
from betterwork.common.api.filters import IdFilter
from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyViewSetMixin
from betterwork.common.history import history_entries
from factories.committee_selectors import (
    committee_factories,
    with_counts,
    with_overdue,
)
from factories.models import Committee, CommitteeMeeting, CommitteeMember, Factory, FollowUpAction, MeetingOutcome
from factories.services.committee import (
    action_save,
    committee_save,
    meeting_record,
    meeting_update,
    member_save,
    outcome_add,
)

# --- serializers: output ---------------------------------------------------------------------------------------


class CommitteeOutputSerializer(serializers.ModelSerializer):
    members_active = serializers.IntegerField(read_only=True, help_text="Members on the committee today.")
    meetings_last_12_months = serializers.IntegerField(read_only=True, help_text="Meetings held in the past year.")
    actions_open = serializers.IntegerField(read_only=True, help_text="Follow-up actions open or in progress.")

    class Meta:
        model = Committee
        fields = (
            "id",
            "factory",
            "kind",
            "name",
            "formed_on",
            "formation",
            "formation_notes",
            "election_date",
            "members_active",
            "meetings_last_12_months",
            "actions_open",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class MemberOutputSerializer(serializers.ModelSerializer):
    factory = serializers.IntegerField(source="committee.factory_id", read_only=True)
    active = serializers.SerializerMethodField(help_text="On the committee today (joined and not left).")

    class Meta:
        model = CommitteeMember
        fields = (
            "id",
            "committee",
            "factory",
            "name",
            "side",
            "position",
            "elected",
            "joined_on",
            "left_on",
            "active",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_active(self, member: CommitteeMember) -> bool:
        today = timezone.localdate()
        return (member.joined_on is None or member.joined_on <= today) and (
            member.left_on is None or member.left_on > today
        )


class OutcomeOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingOutcome
        fields = ("id", "meeting", "text", "created_at")
        read_only_fields = fields


class ActionOutputSerializer(serializers.ModelSerializer):
    committee = serializers.IntegerField(source="meeting.committee_id", read_only=True)
    factory = serializers.IntegerField(source="meeting.committee.factory_id", read_only=True)
    overdue = serializers.BooleanField(read_only=True, help_text="Open or in progress after its due date.")

    class Meta:
        model = FollowUpAction
        fields = (
            "id",
            "meeting",
            "committee",
            "factory",
            "description",
            "responsible",
            "due_on",
            "priority",
            "status",
            "done_on",
            "overdue",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class NestedActionOutputSerializer(ActionOutputSerializer):
    class Meta(ActionOutputSerializer.Meta):
        fields = tuple(f for f in ActionOutputSerializer.Meta.fields if f not in ("committee", "factory"))
        read_only_fields = fields


class MeetingOutputSerializer(serializers.ModelSerializer):
    factory = serializers.IntegerField(source="committee.factory_id", read_only=True)
    outcomes = OutcomeOutputSerializer(many=True, read_only=True)
    actions = NestedActionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = CommitteeMeeting
        fields = (
            "id",
            "committee",
            "factory",
            "held_on",
            "attendees",
            "minutes",
            "outcomes",
            "actions",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class HistoryChangeSerializer(serializers.Serializer):
    # `from`/`to` are Python keywords: declared in `get_fields`.
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.JSONField(allow_null=True, help_text="Value before (null on creation)."),
            "to": serializers.JSONField(allow_null=True, help_text="Value after."),
        }


class HistoryEntryOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When the change was made.")
    by = serializers.CharField(allow_null=True, help_text="Username of who made it (null: the system).")
    change = serializers.ChoiceField(choices=("created", "changed", "deleted"))
    reason = serializers.CharField(help_text="What kind of change the platform recorded.")
    fields = serializers.DictField(
        child=HistoryChangeSerializer(),
        help_text="What changed: every filled-in field on creation, the changed fields afterwards.",
    )


# --- serializers: input ----------------------------------------------------------------------------------------


class _ScopedMixin:
    """Input serializers whose references must lie in the caller's scope: `scoped = {field: callable(user)}`."""

    scoped: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator: no caller, no rows
            return
        for name, scope in self.scoped.items():
            self.fields[name].queryset = scope(request.user)


class CommitteeInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Committee
        fields = ("kind", "name", "formed_on", "formation", "formation_notes", "election_date")


class CommitteeCreateInputSerializer(_ScopedMixin, CommitteeInputSerializer):
    scoped = {"factory": committee_factories}
    factory = serializers.PrimaryKeyRelatedField(queryset=Factory.objects.none())

    class Meta(CommitteeInputSerializer.Meta):
        fields = ("factory", *CommitteeInputSerializer.Meta.fields)

    def validate_factory(self, factory: Factory) -> Factory:
        if Committee.objects.filter(factory=factory).exists():
            raise serializers.ValidationError(
                _("This factory already has a committee: change it (PATCH /api/v1/committees/{id}/) instead.")
            )
        return factory


class MemberInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitteeMember
        fields = ("name", "side", "position", "elected", "joined_on", "left_on")


class MemberCreateInputSerializer(_ScopedMixin, MemberInputSerializer):
    scoped = {"committee": lambda user: visible(user, Committee)}
    committee = serializers.PrimaryKeyRelatedField(queryset=Committee.objects.none())

    class Meta(MemberInputSerializer.Meta):
        fields = ("committee", *MemberInputSerializer.Meta.fields)


class ActionInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpAction
        fields = ("description", "responsible", "due_on", "priority", "status", "done_on")


class NestedActionInputSerializer(serializers.ModelSerializer):
    """A follow-up action decided at the meeting being recorded (it starts open)."""

    class Meta:
        model = FollowUpAction
        fields = ("description", "responsible", "due_on", "priority")


class ActionCreateInputSerializer(_ScopedMixin, ActionInputSerializer):
    scoped = {"meeting": lambda user: visible(user, CommitteeMeeting)}
    meeting = serializers.PrimaryKeyRelatedField(queryset=CommitteeMeeting.objects.none())

    class Meta(ActionInputSerializer.Meta):
        fields = ("meeting", *ActionInputSerializer.Meta.fields)


class MeetingInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitteeMeeting
        fields = ("held_on", "attendees", "minutes")


class MeetingCreateInputSerializer(_ScopedMixin, MeetingInputSerializer):
    scoped = {"committee": lambda user: visible(user, Committee)}
    committee = serializers.PrimaryKeyRelatedField(queryset=Committee.objects.none())
    outcomes = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="What the meeting decided or reached."
    )
    actions = NestedActionInputSerializer(many=True, required=False, default=list)

    class Meta(MeetingInputSerializer.Meta):
        fields = ("committee", *MeetingInputSerializer.Meta.fields, "outcomes", "actions")


class OutcomeInputSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="A decision or result the meeting reached.")


# --- filters ---------------------------------------------------------------------------------------------------


class CommitteeFilterSet(django_filters.FilterSet):
    factory = IdFilter(field_name="factory_id")
    country = django_filters.CharFilter(field_name="factory__country_id", label=gettext_lazy("Country code"))

    class Meta:
        model = Committee
        fields = ("factory", "country", "kind", "formation")


class MemberFilterSet(django_filters.FilterSet):
    committee = IdFilter(field_name="committee_id")
    factory = IdFilter(field_name="committee__factory_id")
    active = django_filters.BooleanFilter(method="filter_active", label=gettext_lazy("On the committee today"))

    class Meta:
        model = CommitteeMember
        fields = ("committee", "factory", "side", "elected", "active")

    def filter_active(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        today = timezone.localdate()
        on_committee = (Q(joined_on__isnull=True) | Q(joined_on__lte=today)) & (
            Q(left_on__isnull=True) | Q(left_on__gt=today)
        )
        return queryset.filter(on_committee) if value else queryset.exclude(on_committee)


class MeetingFilterSet(django_filters.FilterSet):
    committee = IdFilter(field_name="committee_id")
    factory = IdFilter(field_name="committee__factory_id")
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = CommitteeMeeting
        fields = ("committee", "factory", "held_after", "held_before")


class ActionFilterSet(django_filters.FilterSet):
    committee = IdFilter(field_name="meeting__committee_id")
    factory = IdFilter(field_name="meeting__committee__factory_id")
    meeting = IdFilter(field_name="meeting_id")
    overdue = django_filters.BooleanFilter(
        field_name="overdue", label=gettext_lazy("Open or in progress after its due date")
    )

    class Meta:
        model = FollowUpAction
        fields = ("committee", "factory", "meeting", "status", "priority", "overdue")


# --- viewsets --------------------------------------------------------------------------------------------------

HISTORY_SCHEMA = extend_schema(
    summary="Who changed what, when (oldest first)",
    responses=HistoryEntryOutputSerializer(many=True),
)


class _CommitteeViewSet(PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reads for everyone who may see the rows; writes go through the services (which answer 403)."""

    policy = {"list": VIEW, "retrieve": VIEW, "create": VIEW, "partial_update": VIEW, "history": VIEW}

    def _context(self) -> dict[str, Any]:
        return {"request": self.request}

    def _parse(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict[str, Any]:
        payload = serializer_class(data=self.request.data, context=self._context(), **kwargs)
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    def _answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        obj = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(obj).data, status=code)

    @HISTORY_SCHEMA
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        entries = history_entries(self.get_object())
        return Response(HistoryEntryOutputSerializer(entries, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Committees the caller may see (one per factory)"),
    retrieve=extend_schema(summary="A committee with its current figures"),
)
class CommitteeViewSet(_CommitteeViewSet):
    """The worker-management committee of each factory (R-ADV-6): kept by the factory and its advisor."""

    policy_model = Committee
    serializer_class = CommitteeOutputSerializer
    filterset_class = CommitteeFilterSet
    search_fields = ("name", "factory__name")
    ordering_fields = ("formed_on", "election_date", "id")

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return with_counts(queryset).order_by("id")

    @extend_schema(
        summary="Record a factory's committee",
        request=CommitteeCreateInputSerializer,
        responses={201: CommitteeOutputSerializer},
    )
    def create(self, request: Request) -> Response:
        data = self._parse(CommitteeCreateInputSerializer)
        try:
            committee = committee_save(actor=request.user, **data)
        except IntegrityError as exc:  # two requests raced past the check
            raise serializers.ValidationError({"factory": [_("This factory already has a committee.")]}) from exc
        return self._answer(committee.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the committee's details", request=CommitteeInputSerializer, responses=CommitteeOutputSerializer
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        committee = self.get_object()
        data = self._parse(CommitteeInputSerializer, partial=True)
        committee_save(factory=committee.factory, actor=request.user, **data)
        return self._answer(committee.pk)


@extend_schema_view(
    list=extend_schema(summary="Committee members (members who left stay, with `left_on`)"),
    retrieve=extend_schema(summary="A committee member"),
)
class CommitteeMemberViewSet(_CommitteeViewSet):
    """Members are never deleted: a member who leaves gets `left_on`."""

    policy_model = CommitteeMember
    serializer_class = MemberOutputSerializer
    filterset_class = MemberFilterSet
    search_fields = ("name", "position")
    ordering_fields = ("name", "side", "joined_on", "left_on")

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("committee")

    @extend_schema(summary="Add a member", request=MemberCreateInputSerializer, responses={201: MemberOutputSerializer})
    def create(self, request: Request) -> Response:
        data = self._parse(MemberCreateInputSerializer)
        member = member_save(actor=request.user, **data)
        return self._answer(member.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a member (set `left_on` when the member leaves)",
        request=MemberInputSerializer,
        responses=MemberOutputSerializer,
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        member = self.get_object()
        data = self._parse(MemberInputSerializer, partial=True)
        member_save(committee=member.committee, member=member, actor=request.user, **data)
        return self._answer(member.pk)


@extend_schema_view(
    list=extend_schema(summary="Committee meetings, newest first, with their outcomes and follow-up actions"),
    retrieve=extend_schema(summary="A meeting with its minutes, outcomes and follow-up actions"),
)
class CommitteeMeetingViewSet(_CommitteeViewSet):
    policy_model = CommitteeMeeting
    policy = {**_CommitteeViewSet.policy, "outcomes": VIEW}
    serializer_class = MeetingOutputSerializer
    filterset_class = MeetingFilterSet
    search_fields = ("minutes", "outcomes__text")
    ordering_fields = ("held_on", "id")

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        actions = with_overdue(FollowUpAction.objects.order_by("id"))
        return queryset.select_related("committee").prefetch_related(
            Prefetch("outcomes", queryset=MeetingOutcome.objects.order_by("id")),
            Prefetch("actions", queryset=actions),
        )

    @extend_schema(
        summary="Record a meeting with its outcomes and follow-up actions (all or nothing)",
        request=MeetingCreateInputSerializer,
        responses={201: MeetingOutputSerializer},
    )
    def create(self, request: Request) -> Response:
        data = self._parse(MeetingCreateInputSerializer)
        meeting = meeting_record(actor=request.user, **data)
        return self._answer(meeting.pk, status.HTTP_201_CREATED)

    @extend_schema(summary="Correct a meeting", request=MeetingInputSerializer, responses=MeetingOutputSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = self._parse(MeetingInputSerializer, partial=True)
        meeting_update(meeting=meeting, actor=request.user, **data)
        return self._answer(meeting.pk)

    @extend_schema(
        summary="Add an outcome to a meeting",
        request=OutcomeInputSerializer,
        responses={201: OutcomeOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def outcomes(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = self._parse(OutcomeInputSerializer)
        outcome = outcome_add(meeting=meeting, actor=request.user, **data)
        return Response(OutcomeOutputSerializer(outcome).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Follow-up actions decided in committee meetings"),
    retrieve=extend_schema(summary="A follow-up action"),
)
class FollowUpActionViewSet(_CommitteeViewSet):
    """Status moves open → in_progress → done (or cancelled); `done` without `done_on` gets today."""

    policy_model = FollowUpAction
    serializer_class = ActionOutputSerializer
    filterset_class = ActionFilterSet
    search_fields = ("description", "responsible")
    ordering_fields = ("due_on", "status", "id")

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return with_overdue(queryset.select_related("meeting__committee"))

    @extend_schema(
        summary="Add a follow-up action to a meeting",
        request=ActionCreateInputSerializer,
        responses={201: ActionOutputSerializer},
    )
    def create(self, request: Request) -> Response:
        data = self._parse(ActionCreateInputSerializer)
        follow_up = action_save(actor=request.user, **data)
        return self._answer(follow_up.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a follow-up action or move its status",
        request=ActionInputSerializer,
        responses={200: ActionOutputSerializer, 403: OpenApiResponse(description="May read but not change.")},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        follow_up = self.get_object()
        data = self._parse(ActionInputSerializer, partial=True)
        action_save(meeting=follow_up.meeting, action=follow_up, actor=request.user, **data)
        return self._answer(follow_up.pk)


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the API router."""
    router.register("committees", CommitteeViewSet, basename="committee")
    router.register("committee-members", CommitteeMemberViewSet, basename="committee-member")
    router.register("committee-meetings", CommitteeMeetingViewSet, basename="committee-meeting")
    router.register("follow-up-actions", FollowUpActionViewSet, basename="follow-up-action")
