"""Assessment pages (R-ASM-3..6, R-RPT-1): the list with the ranking of factories due for assessment, planning
and rescheduling, and the assessment page (the report) with its feedback thread, acceptance, finalisation,
corrections and publication. The rules are in assessments.services; these views only translate between forms
and services, putting the errors the services raise on the field they name.

Secrecy (R-ASM-3): a planned assessment, its date and its assessors do not exist for factory and buyer users.
Every query goes through `visible()` (hidden → 404, the same page as for an assessment that never existed);
planned dates, assessors, the schedule's history and the status counts are computed for programme staff only.

The assessment page renders in a fixed number of SQL queries whatever the number of findings (prefetches).
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Prefetch, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from assessments.forms import (
    CancelForm,
    MessageForm,
    PlanForm,
    PriorityNoteForm,
    RescheduleForm,
    ReviseForm,
    StartForm,
    StatusFilterForm,
)
from assessments.models import Assessment, Evidence, Finding, Schedule
from assessments.services.feedback import (
    assessment_finalise,
    assessment_publish,
    feedback_open,
    finding_reply,
    finding_respond,
    finding_revise,
    findings_accept,
)
from assessments.services.fieldwork import assessment_start
from assessments.services.priority import due_for_assessment, note_add
from assessments.services.report import FINDING_ORDER, grouped, management_rows, report_findings
from assessments.services.schedule import assessment_cancel, assessment_plan, assessment_reschedule
from betterwork.accounts.models import Role
from betterwork.accounts.policy import may, visible
from betterwork.common.exceptions import ApplicationError, NotPermitted
from betterwork.common.history import history_of
from factories.models import Factory
from factories.services.buyers import buyer_read_record

S = Assessment.Status
R = Finding.Result
PAGE_SIZE = 25
STATUS_RANK = Case(
    *[When(status=value, then=Value(rank)) for rank, value in enumerate(S.values)], output_field=IntegerField()
)


def _today(user: Any) -> date:
    country = getattr(user, "country", None)
    return country.local_today() if country is not None else timezone.localdate()


def _apply(form: forms.Form, error: ApplicationError) -> None:
    """A service's refusal onto the form: on the field it names, else above the form; NotPermitted → 403."""
    if isinstance(error, NotPermitted):
        raise PermissionDenied(error.message) from error
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _detail(assessment: Assessment) -> HttpResponse:
    return redirect(reverse("assessment-detail", args=[assessment.pk]))


# --- the list and the ranking --------------------------------------------------------------------------------


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    """Staff: the assessments of their scope by status (planned ones with their date and assessors) and the
    factories due for assessment, ranked with their reasons (R-ASM-4). Factory users: their started
    assessments; buyers: the published reports of factories that authorise them."""
    user = request.user
    staff = user.is_programme_staff
    candidates = due_for_assessment(user, today=_today(user)) if staff else []
    planned_for = [c.factory.pk for c in candidates if may(user, "plan_assessment", c.factory)]
    note_form = None
    if planned_for:
        note_form = PriorityNoteForm(
            request.POST if request.method == "POST" else None,
            factories=Factory.objects.filter(pk__in=planned_for).order_by("name"),
        )
    if request.method == "POST":
        if note_form is None:
            raise PermissionDenied
        if note_form.is_valid():
            data = note_form.cleaned_data
            try:
                note_add(factory=data["factory"], actor=user, kind=data["kind"], points=data["points"],
                         reason=data["reason"])  # fmt: skip
            except ApplicationError as error:
                _apply(note_form, error)
            else:
                messages.success(request, _("The note is recorded: the ranking takes it into account."))
                return redirect(reverse("assessment-list") + "#due")

    filters = StatusFilterForm(request.GET or None, staff=staff)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    queryset = visible(user, Assessment).select_related("factory", "cycle").annotate(rank=STATUS_RANK)
    if staff:
        queryset = queryset.select_related("schedule").prefetch_related("assessors")
        queryset = queryset.order_by("rank", F("schedule__planned_date").asc(nulls_last=True), "-started_on", "-pk")
    else:
        queryset = queryset.order_by("rank", "-started_on", "-pk")
    if status:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {}
    if staff:
        counts = dict(
            visible(user, Assessment).order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
        )
    context = {
        "staff": staff,
        "filters": filters,
        "status": status,
        "page": page,
        "querystring": urlencode({"status": status}) if status else "",
        "status_links": [{"value": v, "label": label, "count": counts.get(v, 0)} for v, label in S.choices],
        "candidates": [{"c": c, "plan": c.factory.pk in planned_for} for c in candidates],
        "note_form": note_form,
        "may_plan": user.effective_role in (Role.PROGRAMME_MANAGER, Role.GLOBAL_ADMIN),
    }
    return render(request, "assessments/list.html", context)


# --- planning ------------------------------------------------------------------------------------------------


def _staff_only(request: HttpRequest) -> None:
    """Planning pages do not exist for factory and buyer users (R-ASM-3)."""
    if not request.user.is_programme_staff:
        raise Http404


@login_required
def plan_page(request: HttpRequest) -> HttpResponse:
    """The programme manager plans an assessment: date, modality, two assessors, days (R-ASM-3, R-CYC-2)."""
    _staff_only(request)
    user = request.user
    factories = visible(user, Factory).select_related("country").order_by("name")
    chosen = None
    wanted = request.POST.get("factory") if request.method == "POST" else request.GET.get("factory")
    if wanted and str(wanted).isdigit():
        chosen = factories.filter(pk=wanted).first()
    if chosen is not None and not may(user, "plan_assessment", chosen):
        raise PermissionDenied
    if chosen is None and user.effective_role != Role.GLOBAL_ADMIN and user.effective_role != Role.PROGRAMME_MANAGER:
        raise PermissionDenied
    country_id = chosen.country_id if chosen is not None else user.country_id
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        factories=factories,
        country_id=country_id,
        initial={"factory": chosen.pk} if chosen is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = assessment_plan(
                factory=data["factory"], actor=user, planned_date=data["planned_date"], modality=data["modality"],
                assessors=list(data["assessors"]), days=data["days"],
            )  # fmt: skip
        except ApplicationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The assessment is planned. The factory will not know until it starts."))
            return _detail(assessment)
    return render(request, "assessments/plan.html", {"form": form, "factory": chosen})


def _manageable(request: HttpRequest, pk: int) -> Assessment:
    _staff_only(request)
    assessment = visible(request.user, Assessment).select_related("factory__country", "schedule").filter(pk=pk).first()
    if assessment is None:
        raise Http404
    if not may(request.user, "manage", assessment):
        raise PermissionDenied
    return assessment


@login_required
def reschedule_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a planned assessment, or change its modality or assessors; the schedule's history keeps it."""
    assessment = _manageable(request, pk)
    if assessment.status != S.PLANNED:
        messages.error(request, _("Only a planned assessment is rescheduled."))
        return _detail(assessment)
    schedule = assessment.schedule
    initial = {"planned_date": schedule.planned_date, "days": schedule.days, "modality": assessment.modality,
               "assessors": list(assessment.assessors.values_list("pk", flat=True))}  # fmt: skip
    form = RescheduleForm(
        request.POST if request.method == "POST" else None, initial=initial, country_id=assessment.factory.country_id
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment_reschedule(
                assessment_id=assessment.pk, actor=request.user, planned_date=data["planned_date"],
                modality=data["modality"], assessors=list(data["assessors"]), days=data["days"],
            )  # fmt: skip
        except ApplicationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The assessment is rescheduled."))
            return _detail(assessment)
    return render(request, "assessments/reschedule.html", {"assessment": assessment, "form": form})


# --- the assessment page -------------------------------------------------------------------------------------


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    user = request.user
    queryset = visible(user, Assessment).select_related("factory__country", "cycle")
    if user.is_programme_staff:
        queryset = queryset.select_related("schedule").prefetch_related("assessors")
    assessment = queryset.filter(pk=pk).first()
    if assessment is None:
        raise Http404
    return assessment


class Roles:
    """What the user may do on this assessment (each asked once)."""

    def __init__(self, user: Any, assessment: Assessment) -> None:
        self.staff = user.is_programme_staff
        self.buyer = user.effective_role == Role.BUYER
        self.factory = user.effective_role == Role.FACTORY
        self.manage = self.staff and may(user, "manage", assessment)
        self.conduct = (
            user.effective_role == Role.ASSESSOR
            and assessment.status in (S.PLANNED, S.IN_PROGRESS)
            and may(user, "conduct", assessment)
        )
        self.discuss = self.staff and may(user, "discuss", assessment)
        self.evidence = self.staff and may(user, "see_evidence", assessment)
        self.respond = self.factory and may(user, "respond", assessment)
        self.open = assessment.status == S.FEEDBACK and feedback_open(assessment)
        self.may_respond = self.respond and self.open
        self.may_reply = self.discuss and assessment.status == S.FEEDBACK


def _findings(user: Any, assessment: Assessment, roles: Roles) -> list[Finding]:
    """The findings the user may see (factory users from submission on), with what the page shows."""
    queryset = report_findings(Finding.objects.visible_to(user).filter(assessment=assessment), threads=not roles.buyer)
    if roles.evidence:
        queryset = queryset.prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"), to_attr="files")
        )
    return list(queryset)


def _form_for(roles: Roles, bound: dict[int, MessageForm]) -> Callable[[Finding], MessageForm | None]:
    def form(finding: Finding) -> MessageForm | None:
        found = bound.get(finding.pk)  # a refused response is shown with its error even once the period is over
        if found is None and (roles.may_respond or roles.may_reply):
            found = MessageForm(prefix=f"f{finding.pk}", reply=roles.staff)
        return found

    return form


def _schedule_history(assessment: Assessment) -> list[dict[str, Any]]:
    """Who moved the planned date or the days, from what to what (staff only, R-ASM-3)."""
    entries, previous = [], None
    records = Schedule.history.filter(assessment_id=assessment.pk).select_related("history_user")
    for record in records.order_by("history_date", "history_id"):
        shown = []
        for name in ("planned_date", "days"):
            new = getattr(record, name)
            old = getattr(previous, name) if previous is not None else None
            if previous is None or old != new:
                label = Schedule._meta.get_field(name).verbose_name
                shown.append({"label": label, "from": _plain(old) if previous is not None else None, "to": _plain(new)})
        previous = record
        entries.append({"at": record.history_date, "by": record.history_user, "what": _("Schedule"),
                        "reason": record.history_change_reason or "", "shown": shown})  # fmt: skip
    return entries


def _plain(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _history(assessment: Assessment) -> list[dict[str, Any]]:
    entries = [
        {"at": e["at"], "by": e["record"].history_user, "what": _("Assessment"), "reason": e["reason"],
         "shown": e["shown"]}
        for e in history_of(assessment.history.all())
    ]  # fmt: skip
    return sorted([*entries, *_schedule_history(assessment)], key=lambda e: e["at"])


def _context(
    request: HttpRequest, assessment: Assessment, *, bound: dict[int, MessageForm] | None = None,
    forms_: dict[str, forms.Form] | None = None, error: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    user = request.user
    roles = Roles(user, assessment)
    forms_ = forms_ or {}
    show_findings = assessment.status != S.PLANNED and not (roles.factory and assessment.status == S.IN_PROGRESS)
    findings = _findings(user, assessment, roles) if show_findings else []
    closed = assessment.status in Assessment.CLOSED
    context: dict[str, Any] = {
        "assessment": assessment,
        "roles": roles,
        "error": error,
        "show_findings": show_findings,
        "groups": grouped(findings, _form_for(roles, bound or {})),
        "critical": [f for f in findings if f.is_critical],
        "management": management_rows(assessment, findings),
        "totals": {
            "answered": len(findings),
            "non_compliant": sum(1 for f in findings if f.result == R.NON_COMPLIANT),
        },
        "accept_confirm": roles.may_respond and request.GET.get("confirm") == "accept",
    }
    if roles.staff:
        try:
            context["schedule"] = assessment.schedule
        except Schedule.DoesNotExist:
            context["schedule"] = None
        context["assessors"] = list(assessment.assessors.all())
        context["history"] = _history(assessment)
        context["revisions"] = list(assessment.revisions.select_related("finding__question", "revised_by"))
    if roles.manage:
        context["may_finalise"] = assessment.status == S.FEEDBACK and not roles.open
        context["may_publish"] = assessment.status == S.FINALISED
        context["cancel_form"] = forms_.get("cancel") or (CancelForm() if assessment.status == S.PLANNED else None)
        context["revise_form"] = forms_.get("revise") or (ReviseForm(findings=findings) if closed else None)
    if roles.conduct and assessment.status == S.PLANNED:
        context["start_form"] = forms_.get("start") or StartForm(
            initial={"started_on": assessment.factory.country.local_today()}
        )
    return context


def _render(request: HttpRequest, assessment: Assessment, **kwargs: Any) -> HttpResponse:
    return render(request, "assessments/detail.html", _context(request, assessment, **kwargs))


@login_required
def detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment and its report (R-RPT-1); each action is a POST with `action` (R-ASM-6)."""
    assessment = _assessment(request, pk)
    if request.method == "POST":
        return _act(request, assessment)
    buyer_read_record(user=request.user, factory=assessment.factory, kind="assessment_report",
                      object_id=assessment.pk, channel="web")  # fmt: skip
    return _render(request, assessment)


@login_required
def print_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The report laid out for printing (no forms, no navigation)."""
    assessment = _assessment(request, pk)
    buyer_read_record(user=request.user, factory=assessment.factory, kind="assessment_report",
                      object_id=assessment.pk, channel="web")  # fmt: skip
    return render(request, "assessments/print.html", _context(request, assessment))


def _act(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    user, action = request.user, request.POST.get("action", "")
    if user.effective_role == Role.BUYER:
        raise Http404
    handlers = {
        "respond": _message, "reply": _message, "accept": _simple, "finalise": _simple, "publish": _simple,
        "cancel": _cancel, "start": _start, "revise": _revise,
    }  # fmt: skip
    handler = handlers.get(action)
    if handler is None:
        raise Http404
    return handler(request, assessment, action)


def _message(request: HttpRequest, assessment: Assessment, action: str) -> HttpResponse:
    finding_pk = request.POST.get("finding", "")
    finding = (
        Finding.objects.visible_to(request.user)
        .select_related("question")
        .filter(assessment=assessment, pk=finding_pk if finding_pk.isdigit() else 0)
        .first()
    )
    if finding is None:
        raise Http404
    form = MessageForm(request.POST, prefix=f"f{finding.pk}", reply=action == "reply")
    if form.is_valid():
        service = finding_respond if action == "respond" else finding_reply
        try:
            service(assessment_id=assessment.pk, actor=request.user, question=finding.question.code,
                    text=form.cleaned_data["text"])  # fmt: skip
        except ApplicationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Your response is added to the thread."))
            return redirect(reverse("assessment-detail", args=[assessment.pk]) + f"#finding-{finding.pk}")
    return _render(request, assessment, bound={finding.pk: form})


def _simple(request: HttpRequest, assessment: Assessment, action: str) -> HttpResponse:
    services = {
        "accept": (findings_accept, _("You accepted the findings: the feedback period is closed.")),
        "finalise": (assessment_finalise, _("The assessment is finalised; its non-compliances join the improvement "
                                            "plan.")),
        "publish": (assessment_publish, _("The report is published to the factory and its authorised buyers.")),
    }  # fmt: skip
    service, done = services[action]
    try:
        service(assessment_id=assessment.pk, actor=request.user)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from error
    except ApplicationError as error:
        return _render(request, assessment, error=error.message)
    messages.success(request, done)
    return _detail(assessment)


def _cancel(request: HttpRequest, assessment: Assessment, action: str) -> HttpResponse:
    if not may(request.user, "manage", assessment):
        raise PermissionDenied
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            assessment_cancel(assessment_id=assessment.pk, actor=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The assessment is cancelled."))
            return _detail(assessment)
    return _render(request, assessment, forms_={"cancel": form})


def _start(request: HttpRequest, assessment: Assessment, action: str) -> HttpResponse:
    if not may(request.user, "conduct", assessment):
        raise PermissionDenied
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            assessment_start(
                assessment_id=assessment.pk, actor=request.user, started_on=form.cleaned_data["started_on"]
            )
        except ApplicationError as error:
            if error.field == "planned_date":  # R-CYC-2 speaks of the day, here the start date
                error.field = "started_on"
            _apply(form, error)
        else:
            messages.success(request, _("The assessment has started: answer the questions as you go."))
            return redirect(f"/assessments/{assessment.pk}/fieldwork/")
    return _render(request, assessment, forms_={"start": form})


def _revise(request: HttpRequest, assessment: Assessment, action: str) -> HttpResponse:
    if not may(request.user, "manage", assessment):
        raise PermissionDenied
    findings = list(
        Finding.objects.visible_to(request.user).filter(assessment=assessment).select_related("question")
        .order_by(*FINDING_ORDER)
    )  # fmt: skip
    form = ReviseForm(request.POST, findings=findings)
    if form.is_valid():
        data = form.cleaned_data
        try:
            finding_revise(assessment_id=assessment.pk, actor=request.user, question=data["question"],
                           result=data["result"], notes=data["notes"], reason=data["reason"])  # fmt: skip
        except ApplicationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The correction is recorded as revision %(n)s.") % {
                "n": Assessment.objects.values_list("revision", flat=True).get(pk=assessment.pk)})  # fmt: skip
            return redirect(reverse("assessment-detail", args=[assessment.pk]) + "#revisions")
    return _render(request, assessment, forms_={"revise": form})


# Included under "assessments/".
urlpatterns = [
    path("", assessment_list, name="assessment-list"),
    path("plan/", plan_page, name="assessment-plan"),
    path("<int:pk>/", detail_page, name="assessment-detail"),
    path("<int:pk>/print/", print_page, name="assessment-print"),
    path("<int:pk>/reschedule/", reschedule_page, name="assessment-reschedule"),
]
