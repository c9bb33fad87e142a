"""Progress-report pages (R-RPT-2/3/4, R-ACC-1/2): the current cycle's two reports, the form to write one
(saved as a draft, submitted when complete), the advisor's sign-off of critical issues the factory reports
fixed, release, and the released report as authorised buyers read it (each read logged, channel "web").
The services in advisory.services.reports do the rules; the API module finds what the caller may see."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from advisory.api.reports import critical_items, is_buyer, report_for
from advisory.forms_reports import ReportForm, SignOffForm
from advisory.layout import report_layout
from advisory.models import ProgressReport
from advisory.services.plan import plan_for
from advisory.services.reports import (
    CRITICAL_RECTIFIED,
    plan_counts,
    questions,
    report_release,
    report_save_draft,
    report_sign_off,
    report_submit,
)
from betterwork.accounts.policy import get_visible_or_404, may
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.models import Factory, ServiceCycle

COUNT_KEYS = ("issues_self_identified", "issues_followed_up", "issues_completed")


def _cycle(factory: Factory) -> ServiceCycle | None:
    cycles = factory.cycles.order_by("-number")
    return cycles.filter(status=ServiceCycle.Status.OPEN).first() or cycles.first()


def _writer(user: Any, report: ProgressReport) -> bool:
    return may(user, "write_report_1" if report.number == 1 else "write_report_2", report.cycle.factory)


def _releaser(user: Any, report: ProgressReport) -> bool:
    return may(user, "write_report_1" if report.number == 1 else "release_report_2", report.cycle.factory)


@login_required
def reports_page(request: HttpRequest, pk: int) -> HttpResponse:
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    cycle = _cycle(factory)
    rows = []
    if cycle:
        existing = {r.number: r for r in ProgressReport.objects.filter(cycle=cycle)}
        for number in (1, 2):
            report = existing.get(number)
            if is_buyer(request.user) and (report is None or report.status != ProgressReport.Status.RELEASED):
                continue
            rows.append({"number": number, "report": report})
    return render(request, "advisory/reports/list.html", {"factory": factory, "cycle": cycle, "rows": rows})


@login_required
def report_page(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    cycle = _cycle(factory)
    if cycle is None or number not in (1, 2):
        raise Http404
    user = request.user
    report = report_for(user, cycle.pk, number, channel="web", log=request.method == "GET")
    buyer = is_buyer(user)
    if buyer and request.method != "GET":
        raise Http404
    draft = report.status == ProgressReport.Status.DRAFT
    writer = _writer(user, report)
    items = critical_items(report) if report.number == 1 and not buyer else []
    form = None
    if draft and writer:
        form = ReportForm(
            request.POST if request.method == "POST" and request.POST.get("do") in ("save", "submit") else None,
            questions=questions(report),
            answers=report.answers,
            critical_items=items if report.number == 1 else None,
        )
    sign_off_error = None
    if request.method == "POST":
        do = request.POST.get("do")
        try:
            if do in ("save", "submit"):
                if form is None:
                    raise PermissionDenied
                if form.is_valid():
                    report_save_draft(report_id=report.pk, actor=user, answers=form.answers())
                    if do == "submit":
                        report_submit(report_id=report.pk, actor=user)
                        messages.success(request, _("The report is submitted."))
                    else:
                        messages.success(request, _("The draft is saved."))
                    return redirect("factory-report", pk=factory.pk, number=report.number)
            elif do == "sign_off":
                sign_off = SignOffForm(request.POST)
                if not sign_off.is_valid():
                    raise ApplicationError(_("Choose an item to sign off."))
                report_sign_off(
                    report_id=report.pk,
                    item_id=sign_off.cleaned_data["item"],
                    actor=user,
                    note=sign_off.cleaned_data["note"],
                )
                messages.success(request, _("The critical issue is signed off."))
                return redirect("factory-report", pk=factory.pk, number=report.number)
            elif do == "release":
                report_release(report_id=report.pk, actor=user)
                messages.success(request, _("The report is released to the factory's authorised buyers."))
                return redirect("factory-report", pk=factory.pk, number=report.number)
            else:
                raise Http404
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except ApplicationError as error:
            missing = error.extra.get("missing")
            if form is not None and missing:
                for key in missing:
                    form.add_error(key, _("Answer this question before submitting."))
                form.add_error(None, error.message)
            elif form is not None and isinstance(error.extra.get("answers"), dict):
                for key, problems in error.extra["answers"].items():
                    form.add_error(key if key in form.fields else None, problems)
            else:
                sign_off_error = error.message
    report.refresh_from_db()
    counts = plan_counts(report) if report.status == ProgressReport.Status.DRAFT else report.computed
    signed = {s.item_id: s for s in report.sign_offs.select_related("signed_by")}
    reported = set(report.answers.get(CRITICAL_RECTIFIED, [])) if report.number == 1 else set()
    released = report.status == ProgressReport.Status.RELEASED
    context = {
        "factory": factory,
        "cycle": cycle,
        "report": report,
        "form": form,
        "layout": report_layout(report, counts, form),
        "counts": counts,
        "reported": [{"item": i, "sign_off": signed.get(i.pk)} for i in items if i.pk in reported],
        "may_sign_off": report.number == 1
        and report.status == ProgressReport.Status.SUBMITTED
        and may(user, "sign_off", factory),
        "may_release": report.status == ProgressReport.Status.SUBMITTED and _releaser(user, report),
        "plan_items": plan_for(factory).items.select_related("cluster").order_by("pk") if released else None,
        "error": sign_off_error,
    }
    return render(request, "advisory/reports/report.html", context)


urlpatterns = [
    path("", reports_page, name="factory-reports"),
    path("<int:number>/", report_page, name="factory-report"),
]
