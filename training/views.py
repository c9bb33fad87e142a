"""Training pages (R-TRN): the catalogue and booking, session pages with attendance sheets, a factory's training
(allowance, history, seminar action plans, suggestions, bought days), staff's allowance overview, and
certificates of attendance. Every rule is in training.services; the pages only parse and show."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from betterwork.accounts.models import Role
from betterwork.accounts.policy import get_visible_or_404, may, visible
from betterwork.common import translations
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.models import Factory
from training import services
from training.allowances import participant_days_allowance, seminars_allowance
from training.certificates import certificate_pdf
from training.forms import (
    ActionForm,
    BookForm,
    CourseForm,
    JoinForm,
    NamesForm,
    PurchaseForm,
    SeminarForm,
    SessionForm,
)
from training.models import Course, Enrolment, Participant, Seminar, SeminarParticipation, TrainingSession
from training.selectors import allowance_use, open_cycle, suggestions, training_history

PAGE_SIZE = 25


def _no_buyers(request: HttpRequest) -> None:
    if request.user.effective_role == Role.BUYER:
        raise Http404


def _error(request: HttpRequest, form: Any, error: ApplicationError) -> None:
    if form is not None and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        messages.error(request, error.message)


def _form_errors(request: HttpRequest, form: Any) -> None:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


def _own_factory(request: HttpRequest) -> Factory | None:
    if request.user.effective_role == Role.FACTORY and request.user.factory_id:
        return Factory.objects.select_related("country").get(pk=request.user.factory_id)
    return None


@login_required
def catalogue_page(request: HttpRequest) -> HttpResponse:
    """Courses, upcoming sessions and seminars of the user's country; staff add to it, a factory books."""
    _no_buyers(request)
    user = request.user
    staff = user.is_programme_staff
    courses = visible(user, Course).select_related("cluster", "country").order_by("title", "id")
    forms = {}
    if staff:
        forms = {
            "course": CourseForm(
                request.POST if request.POST.get("form") == "course" else None,
                prefix="course",
                languages=user.country.languages if user.country_id else translations.languages(),
            ),
            "session": SessionForm(
                request.POST if request.POST.get("form") == "session" else None, prefix="session", courses=courses
            ),
            "seminar": SeminarForm(request.POST if request.POST.get("form") == "seminar" else None, prefix="seminar"),
        }
    if request.method == "POST":
        if not staff:
            raise PermissionDenied
        form = forms.get(request.POST.get("form"))
        if form is not None and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if form is forms["course"]:
                    services.course_create(actor=user, **data)
                elif form is forms["session"]:
                    data["modality"] = data["modality"] or None
                    services.session_create(actor=user, **data)
                else:
                    services.seminar_create(actor=user, on=data.pop("date"), **data)
            except NotPermitted:
                raise PermissionDenied from None
            except ApplicationError as error:
                _error(request, form, error)
            else:
                messages.success(request, _("The catalogue is updated."))
                return redirect("training:catalogue")
    factory = _own_factory(request)
    today = (factory.country if factory else user.country).local_today() if (factory or user.country_id) else None
    sessions = (
        visible(user, TrainingSession).select_related("course").annotate(taken=Sum("enrolments__participants"))
        .order_by("start_date", "id")
    )  # fmt: skip
    seminars = visible(user, Seminar).select_related("cluster").order_by("date", "id")
    if today is not None:
        sessions, seminars = sessions.filter(start_date__gte=today), seminars.filter(date__gte=today)
    cycle = open_cycle(factory) if factory else None
    return render(request, "training/catalogue.html", {
        "courses": Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page")),
        "sessions": sessions[:100], "seminars": seminars[:50], "forms": forms, "factory": factory,
        "allowance": participant_days_allowance(cycle) if cycle else None, "cycle": cycle,
        "book": BookForm() if factory else None, "join": JoinForm() if factory and cycle else None,
    })  # fmt: skip


def _session(request: HttpRequest, pk: int) -> TrainingSession:
    _no_buyers(request)
    return get_visible_or_404(request.user, TrainingSession, pk=pk)


@login_required
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: its enrolments (staff: all; a factory: its own), booking, and the attendance sheets (staff)."""
    session = _session(request, pk)
    user = request.user
    factory = _own_factory(request)
    staff = may(user, "manage", session)
    enrolments = session.enrolments.select_related("factory").prefetch_related("people").order_by("factory__name")
    if not staff:
        enrolments = enrolments.filter(factory_id=user.factory_id or 0)
    book = BookForm(request.POST or None)
    if request.method == "POST":
        if book.is_valid():
            factory_id = factory.pk if factory else book.cleaned_data.get("factory")
            if factory_id is None or not visible(user, Factory).filter(pk=factory_id).exists():
                messages.error(request, _("Choose a factory."))
            else:
                try:
                    enrolment = services.enrol(actor=user, session_id=session.pk, factory_id=factory_id,
                                               participants=book.cleaned_data["participants"],
                                               names=book.names_list())  # fmt: skip
                except NotPermitted:
                    raise PermissionDenied from None
                except ApplicationError as error:
                    _error(request, book, error)
                else:
                    messages.success(request, _("Booked: %(n)s participant-days.") % {"n": enrolment.participant_days})
                    return redirect("training:session", pk=session.pk)
        else:
            _form_errors(request, book)
    taken = session.enrolments.aggregate(n=Sum("participants"))["n"] or 0
    cycle = open_cycle(factory) if factory else None
    country_factories = visible(user, Factory).filter(country_id=session.course.country_id) if staff else None
    return render(request, "training/session.html", {
        "session": session, "enrolments": enrolments, "staff": staff, "book": book, "factory": factory,
        "seats_left": max(session.capacity - taken, 0), "country_factories": country_factories,
        "allowance": participant_days_allowance(cycle) if cycle else None,
        "bookable": session.start_date >= session.course.country.local_today(),
    })  # fmt: skip


@login_required
def attendance_page(request: HttpRequest, pk: int, day: str) -> HttpResponse:
    """The attendance sheet of one session day: one checkbox per named participant (staff)."""
    session = _session(request, pk)
    if not may(request.user, "manage", session):
        raise PermissionDenied
    try:
        on = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if on not in session.dates:
        raise Http404
    people = list(
        Participant.objects.filter(enrolment__session=session).select_related("enrolment__factory")
        .order_by("enrolment__factory__name", "name")
    )  # fmt: skip
    if request.method == "POST":
        chosen = set(request.POST.getlist("present"))
        present = {p.pk: str(p.pk) in chosen for p in people}
        for value in chosen:
            if value.isdigit() and int(value) not in present:
                present[int(value)] = True  # not in this session: the service refuses it and saves nothing
        try:
            services.attendance_record(actor=request.user, session_id=session.pk, day=on, present=present)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Attendance is saved."))
            return redirect("training:attendance", pk=session.pk, day=on.isoformat())
    marks = dict(
        Participant.objects.filter(enrolment__session=session, attendance__day=on)
        .values_list("pk", "attendance__present")
    )  # fmt: skip
    rows = [{"person": p, "present": marks.get(p.pk), "recorded": p.pk in marks} for p in people]
    return render(request, "training/attendance.html", {"session": session, "day": on, "rows": rows})


def _factory(request: HttpRequest, pk: int) -> Factory:
    _no_buyers(request)
    return get_visible_or_404(request.user, Factory, pk=pk)


@login_required
def factory_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A factory's training: remaining participant-days and seminars, its history (participants, certificates),
    seminar action plans, suggestions, and (staff) the extra days it bought."""
    factory = _factory(request, pk)
    cycle = open_cycle(factory)
    history = training_history(factory)
    buys = may(request.user, "buy_training", factory)
    plans = may(request.user, "seminar_plan", factory)
    today = factory.country.local_today()
    return render(request, "training/factory.html", {
        "factory": factory, "cycle": cycle, "history": history, "today": today,
        "allowance": participant_days_allowance(cycle) if cycle else None,
        "seminars_allowance": seminars_allowance(cycle) if cycle else None,
        "suggestions": suggestions(factory, today=today),
        "purchases": factory.training_purchases.select_related("cycle").order_by("-created_at")[:50],
        "purchase_form": PurchaseForm() if buys and cycle else None,
        "action_form": ActionForm() if plans else None, "names_form": NamesForm(),
        "enrols": may(request.user, "enrol_training", factory),
    })  # fmt: skip


def _back(factory: Factory) -> HttpResponse:
    return redirect(reverse("training:factory", args=[factory.pk]))


@login_required
@require_POST
def purchase_add(request: HttpRequest, pk: int) -> HttpResponse:
    factory = _factory(request, pk)
    form = PurchaseForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(factory)
    try:
        services.purchase_record(actor=request.user, factory_id=factory.pk, **form.cleaned_data)
    except NotPermitted:
        raise PermissionDenied from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The bought participant-days are added to the cycle."))
    return _back(factory)


@login_required
@require_POST
def names_add(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    factory = _factory(request, pk)
    enrolment = Enrolment.objects.filter(factory=factory, pk=enrolment_pk).first()
    if enrolment is None:
        raise Http404
    form = NamesForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(factory)
    try:
        services.participants_name(actor=request.user, enrolment_id=enrolment.pk, names=form.names_list())
    except NotPermitted:
        raise PermissionDenied from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The participants are named."))
    return _back(factory)


@login_required
@require_POST
def seminar_join_view(request: HttpRequest, seminar_pk: int) -> HttpResponse:
    _no_buyers(request)
    seminar = get_visible_or_404(request.user, Seminar, pk=seminar_pk)
    form = JoinForm(request.POST)
    factory = _own_factory(request)
    factory_id = factory.pk if factory else (form.data.get("factory") or None)
    if not form.is_valid():
        _form_errors(request, form)
    elif factory_id is None or not visible(request.user, Factory).filter(pk=factory_id).exists():
        messages.error(request, _("Choose a factory."))
    else:
        try:
            services.seminar_join(actor=request.user, seminar_id=seminar.pk, factory_id=int(factory_id),
                                  participants=form.cleaned_data["participants"])  # fmt: skip
        except NotPermitted:
            raise PermissionDenied from None
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You take part in “%(seminar)s”.") % {"seminar": seminar.title})
    return redirect("training:catalogue")


@login_required
@require_POST
def action_add(request: HttpRequest, pk: int, participation_pk: int) -> HttpResponse:
    """One action of the factory's seminar action plan; it joins the improvement plan (source "seminar")."""
    factory = _factory(request, pk)
    participation = SeminarParticipation.objects.filter(factory=factory, pk=participation_pk).first()
    if participation is None:
        raise Http404
    form = ActionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(factory)
    try:
        services.action_plan_submit(actor=request.user, participation_id=participation.pk,
                                    actions=[form.cleaned_data])  # fmt: skip
    except NotPermitted:
        raise PermissionDenied from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The action is added to the improvement plan."))
    return _back(factory)


@login_required
def allowances_page(request: HttpRequest) -> HttpResponse:
    """Staff: each factory's participant-days and seminars in its open cycle (R-CYC-7)."""
    if not request.user.is_programme_staff:
        raise Http404
    factories = visible(request.user, Factory).select_related("country").order_by("name", "id")
    page = Paginator(factories, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/allowances.html", {"page": page, "rows": allowance_use(page.object_list)})


@login_required
def certificate(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    """A certificate of attendance (PDF) for a participant who attended at least one day."""
    factory = _factory(request, pk)
    participant = (
        Participant.objects.filter(enrolment__factory=factory, pk=participant_pk)
        .select_related("enrolment__session__course", "enrolment__factory").first()
    )  # fmt: skip
    if participant is None or not participant.attendance.filter(present=True).exists():
        raise Http404
    response = HttpResponse(certificate_pdf(participant), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{participant.pk}.pdf"'
    return response
