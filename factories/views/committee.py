"""Pages of the worker-management committee (R-ADV-6): the committee, one meeting, recording a meeting.

Who sees them: the factory's own users and its country's programme staff (buyers and other factories: 404).
Who changes them: the factory and its advisor / programme manager (`factories.keep_committee_factory`); an
assessor reads only (no forms, POST → 403). Views parse forms and call one service each."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from betterwork.accounts.policy import get_visible_or_404, may
from betterwork.common.exceptions import ApplicationError, NotPermitted
from betterwork.common.history import history_of
from factories.committee_selectors import (
    OPEN_STATUSES,
    committee_factories,
    committee_summary,
    with_counts,
    with_meeting_counts,
    with_overdue,
)
from factories.forms_committee import (
    ActionRowForm,
    ActionRowFormSet,
    ActionStatusForm,
    CommitteeForm,
    MeetingForm,
    MeetingRecordForm,
    MemberForm,
    MemberLeftForm,
    OutcomeForm,
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

MEETINGS_PER_PAGE = 10
ACTIONS_PER_PAGE = 20

# --- helpers ---------------------------------------------------------------------------------------------------


def _factory_or_404(request: HttpRequest, pk: int) -> Factory:
    return get_object_or_404(committee_factories(request.user), pk=pk)


def _may_keep(request: HttpRequest, factory: Factory) -> bool:
    return may(request.user, "keep_committee", factory)


def _require_keep(request: HttpRequest, factory: Factory) -> None:
    """The form is refused before it is read: an assessor gets 403 whatever it sends."""
    if not _may_keep(request, factory):
        raise PermissionDenied(_("You may read this committee but not change it."))


def _call(form: Form, service: Any, **kwargs: Any) -> Any:
    """Run the service; its errors go next to the form's fields (None when it refused). NotPermitted → 403."""
    try:
        return service(**kwargs)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    except ValidationError as exc:
        errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
        for field, field_errors in errors.items():
            form.add_error(field if field in form.fields else None, field_errors)
    return None


def _page(request: HttpRequest, queryset: Any, per_page: int, param: str) -> Any:
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


def _querystring(request: HttpRequest, without: str) -> str:
    params = request.GET.copy()
    params.pop(without, None)
    return params.urlencode()


def _committee_url(factory: Factory, anchor: str = "") -> str:
    return reverse("factories:committee", args=[factory.pk]) + (f"#{anchor}" if anchor else "")


def _meeting_url(meeting: CommitteeMeeting, anchor: str = "") -> str:
    url = reverse("factories:committee-meeting", args=[meeting.committee.factory_id, meeting.pk])
    return url + (f"#{anchor}" if anchor else "")


# --- the committee page ----------------------------------------------------------------------------------------


def _committee_page(request: HttpRequest, factory: Factory, **forms: Form) -> HttpResponse:
    committee = with_counts(Committee.objects.filter(factory=factory)).first()
    may_keep = _may_keep(request, factory)
    context: dict[str, Any] = {"factory": factory, "committee": committee, "may_keep": may_keep}
    if may_keep:
        context["committee_form"] = forms.get("committee_form") or CommitteeForm(
            initial=CommitteeForm.initial_for(committee), prefix="committee"
        )
    if committee is not None:
        members = list(committee.members.all())
        left_form = forms.get("left_form")
        rows = [
            {
                "member": member,
                "left_form": left_form
                if left_form is not None and left_form.member_pk == member.pk
                else MemberLeftForm(prefix=f"member-{member.pk}"),
            }
            for member in members
        ]
        summary = committee_summary(factory)
        by_side = {side: [] for side in CommitteeMember.Side.values}
        former = []
        for row in rows:
            member = row["member"]
            if member.left_on is not None and member.left_on <= summary.as_of:
                former.append(row)
            else:
                by_side[member.side].append(row)
        meetings = with_meeting_counts(committee.meetings.order_by("-held_on", "-id"))
        actions = (
            with_overdue(FollowUpAction.objects.filter(meeting__committee=committee, status__in=OPEN_STATUSES))
            .select_related("meeting")
            .order_by(F("due_on").asc(nulls_last=True), "id")
        )
        context.update(
            summary=summary,
            sides=[(value, label, by_side[value]) for value, label in CommitteeMember.Side.choices],
            former_members=former,
            meetings=_page(request, meetings, MEETINGS_PER_PAGE, "page"),
            meetings_query=_querystring(request, "page"),
            actions=_page(request, actions, ACTIONS_PER_PAGE, "actions_page"),
            actions_query=_querystring(request, "actions_page"),
        )
        if may_keep:
            context["member_form"] = forms.get("member_form") or MemberForm(prefix="member")
    return render(request, "factories/committee/page.html", context)


@login_required
def committee_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the committee. POST: record it, or change its details."""
    factory = _factory_or_404(request, pk)
    if request.method != "POST":
        return _committee_page(request, factory)
    _require_keep(request, factory)
    form = CommitteeForm(request.POST, prefix="committee")
    if form.is_valid() and _call(form, committee_save, factory=factory, actor=request.user, **form.cleaned_data):
        messages.success(request, _("The committee's details are saved."))
        return redirect(_committee_url(factory))
    return _committee_page(request, factory, committee_form=form)


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    factory = _factory_or_404(request, pk)
    _require_keep(request, factory)
    committee = get_object_or_404(Committee, factory=factory)
    form = MemberForm(request.POST, prefix="member")
    if form.is_valid() and _call(form, member_save, committee=committee, actor=request.user, **form.cleaned_data):
        messages.success(request, _("%(name)s joined the committee.") % {"name": form.cleaned_data["name"]})
        return redirect(_committee_url(factory, "members"))
    return _committee_page(request, factory, member_form=form)


@login_required
@require_POST
def member_left(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    factory = _factory_or_404(request, pk)
    member = get_visible_or_404(request.user, CommitteeMember, pk=member_pk, committee__factory=factory)
    _require_keep(request, factory)
    form = MemberLeftForm(request.POST, prefix=f"member-{member.pk}")
    form.member_pk = member.pk
    saved = form.is_valid() and _call(
        form,
        member_save,
        committee=member.committee,
        member=member,
        actor=request.user,
        left_on=form.cleaned_data["left_on"],
    )
    if saved:
        messages.success(request, _("%(name)s has left the committee.") % {"name": member.name})
        return redirect(_committee_url(factory, "members"))
    return _committee_page(request, factory, left_form=form)


# --- meetings --------------------------------------------------------------------------------------------------


def _history(meeting: CommitteeMeeting) -> list[dict[str, Any]]:
    """The meeting's history with its outcomes' and actions', oldest first, each entry saying what it is about."""
    entries = []
    for entry in history_of(CommitteeMeeting.history.filter(id=meeting.pk)):
        entries.append({**entry, "what": _("Meeting")})
    for entry in history_of(MeetingOutcome.history.filter(meeting_id=meeting.pk)):
        entries.append({**entry, "what": _("Outcome: %(text)s") % {"text": entry["record"].text[:60]}})
    for entry in history_of(FollowUpAction.history.filter(meeting_id=meeting.pk)):
        entries.append({**entry, "what": _("Action: %(text)s") % {"text": entry["record"].description[:60]}})
    return sorted(entries, key=lambda entry: (entry["at"], entry["record"].history_id))


def _meeting_or_404(request: HttpRequest, factory: Factory, meeting_pk: int) -> CommitteeMeeting:
    return get_visible_or_404(request.user, CommitteeMeeting, pk=meeting_pk, committee__factory=factory)


def _meeting_page(
    request: HttpRequest, factory: Factory, meeting: CommitteeMeeting, *, status_form: Form | None = None, **forms: Form
) -> HttpResponse:
    may_keep = _may_keep(request, factory)
    meeting = (
        CommitteeMeeting.objects.select_related("committee")
        .prefetch_related(
            Prefetch("outcomes", queryset=MeetingOutcome.objects.order_by("id")),
            Prefetch("actions", queryset=with_overdue(FollowUpAction.objects.order_by("id"))),
        )
        .get(pk=meeting.pk)
    )
    actions = [
        {
            "action": action,
            "form": status_form
            if status_form is not None and status_form.action_pk == action.pk
            else ActionStatusForm(
                prefix=f"action-{action.pk}", initial={"status": action.status, "done_on": action.done_on}
            ),
        }
        for action in meeting.actions.all()
    ]
    context = {
        "factory": factory,
        "meeting": meeting,
        "actions": actions,
        "history": _history(meeting),
        "may_keep": may_keep,
    }
    if may_keep:
        context.update(
            outcome_form=forms.get("outcome_form") or OutcomeForm(prefix="outcome"),
            action_form=forms.get("action_form") or ActionRowForm(prefix="action"),
            meeting_form=forms.get("meeting_form")
            or MeetingForm(
                prefix="meeting",
                initial={"held_on": meeting.held_on, "attendees": meeting.attendees, "minutes": meeting.minutes},
            ),
        )
    return render(request, "factories/committee/meeting.html", context)


@login_required
def meeting_page(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """GET: the meeting. POST: correct its date, attendance or minutes."""
    factory = _factory_or_404(request, pk)
    meeting = _meeting_or_404(request, factory, meeting_pk)
    if request.method != "POST":
        return _meeting_page(request, factory, meeting)
    _require_keep(request, factory)
    form = MeetingForm(request.POST, prefix="meeting")
    if form.is_valid() and _call(form, meeting_update, meeting=meeting, actor=request.user, **form.cleaned_data):
        messages.success(request, _("The meeting is corrected."))
        return redirect(_meeting_url(meeting))
    return _meeting_page(request, factory, meeting, meeting_form=form)


@login_required
@require_POST
def outcome_create(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    factory = _factory_or_404(request, pk)
    meeting = _meeting_or_404(request, factory, meeting_pk)
    _require_keep(request, factory)
    form = OutcomeForm(request.POST, prefix="outcome")
    if form.is_valid() and _call(form, outcome_add, meeting=meeting, actor=request.user, **form.cleaned_data):
        messages.success(request, _("The outcome is added."))
        return redirect(_meeting_url(meeting, "outcomes"))
    return _meeting_page(request, factory, meeting, outcome_form=form)


@login_required
@require_POST
def action_create(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    factory = _factory_or_404(request, pk)
    meeting = _meeting_or_404(request, factory, meeting_pk)
    _require_keep(request, factory)
    form = ActionRowForm(request.POST, prefix="action")
    if form.is_valid() and _call(form, action_save, meeting=meeting, actor=request.user, **form.cleaned_data):
        messages.success(request, _("The follow-up action is added."))
        return redirect(_meeting_url(meeting, "actions"))
    return _meeting_page(request, factory, meeting, action_form=form)


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    factory = _factory_or_404(request, pk)
    follow_up = get_visible_or_404(request.user, FollowUpAction, pk=action_pk, meeting__committee__factory=factory)
    meeting = follow_up.meeting
    _require_keep(request, factory)
    form = ActionStatusForm(request.POST, prefix=f"action-{follow_up.pk}")
    form.action_pk = follow_up.pk
    changes = {"status": form.cleaned_data["status"]} if form.is_valid() else {}
    if form.is_valid() and form.cleaned_data["done_on"]:
        changes["done_on"] = form.cleaned_data["done_on"]
    if changes and _call(form, action_save, meeting=meeting, action=follow_up, actor=request.user, **changes):
        status = follow_up.get_status_display()
        messages.success(request, _("The follow-up action is now “%(status)s”.") % {"status": status})
        return redirect(_meeting_url(meeting, "actions"))
    return _meeting_page(request, factory, meeting, status_form=form)


@login_required
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a meeting: minutes, attendance, outcomes (one per line) and up to three follow-up actions."""
    factory = _factory_or_404(request, pk)
    _require_keep(request, factory)
    committee = Committee.objects.filter(factory=factory).first()
    if committee is None:
        messages.warning(request, _("Record how the committee was formed before its meetings."))
        return redirect(_committee_url(factory))
    form = MeetingRecordForm(request.POST or None, prefix="meeting")
    actions = ActionRowFormSet(request.POST or None, prefix="actions")
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        specs = [row.cleaned_data for row in actions if row.has_changed() and row.cleaned_data]
        meeting = _call(
            form,
            meeting_record,
            committee=committee,
            actor=request.user,
            held_on=form.cleaned_data["held_on"],
            minutes=form.cleaned_data["minutes"],
            attendees=form.cleaned_data["attendees"],
            outcomes=form.cleaned_data["outcomes"],
            actions=specs,
        )
        if meeting is not None:
            messages.success(request, _("The meeting is recorded."))
            return redirect(_meeting_url(meeting))
    return render(
        request, "factories/committee/meeting_form.html", {"factory": factory, "form": form, "actions": actions}
    )


urlpatterns = [
    path("<int:pk>/committee/", committee_page, name="committee"),
    path("<int:pk>/committee/members/", member_add, name="committee-member-add"),
    path("<int:pk>/committee/members/<int:member_pk>/left/", member_left, name="committee-member-left"),
    path("<int:pk>/committee/meetings/new/", meeting_new, name="committee-meeting-new"),
    path("<int:pk>/committee/meetings/<int:meeting_pk>/", meeting_page, name="committee-meeting"),
    path("<int:pk>/committee/meetings/<int:meeting_pk>/outcomes/", outcome_create, name="committee-outcome-add"),
    path("<int:pk>/committee/meetings/<int:meeting_pk>/actions/", action_create, name="committee-action-add"),
    path("<int:pk>/committee/actions/<int:action_pk>/status/", action_status, name="committee-action-status"),
]
