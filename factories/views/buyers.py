"""Pages for the buyers area (issue 3; R-REG-4, R-ACC): a factory's buyers page (grants, revocations, requests,
history, read log), a buyer's request for access, and the programme's list of buyer organisations.

Row scope comes from the policy layer (a factory outside it answers 404; buyers never see a factory's buyers
page); what a user may do is decided by the services, whose `NotPermitted` answers 403.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from betterwork.accounts.models import Role
from betterwork.accounts.policy import get_visible_or_404, may
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.models import Buyer, BuyerAuthorisation, Country, Factory
from factories.selectors import (
    authorisation_history,
    authorised_buyers,
    buyer_list,
    buyer_organisations,
    factory_buyer_reads,
    pending_sourcing_requests,
)
from factories.services.buyers import authorisation_grant, authorisation_revoke, buyer_create, sourcing_link_request

PAGE_SIZE = 25

# --- forms ----------------------------------------------------------------------------------------------


class GrantForm(forms.Form):
    buyer = forms.ModelChoiceField(
        label=gettext_lazy("Buyer organisation"),
        queryset=Buyer.objects.none(),
        empty_label=gettext_lazy("Choose a buyer"),
        error_messages={"invalid_choice": gettext_lazy("Choose a buyer organisation from the list.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyer_list(user=user)


class AccessRequestForm(forms.Form):
    """A buyer names a factory it sources from: its Open Supply Hub ID, or its legal name and country."""

    os_id = forms.CharField(label=gettext_lazy("Open Supply Hub ID"), max_length=20, required=False)
    factory_name = forms.CharField(label=gettext_lazy("Legal name of the factory"), max_length=200, required=False)
    country = forms.ModelChoiceField(
        label=gettext_lazy("Country"),
        queryset=Country.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("Choose a country"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("os_id", "").strip():
            return data
        name, country = data.get("factory_name", "").strip(), data.get("country")
        if name and not country and "country" not in self.errors:
            self.add_error("country", _("Choose the factory's country."))
        elif country and not name:
            self.add_error("factory_name", _("Give the factory's legal name."))
        elif not name and not country and not self.errors:
            raise ValidationError(_("Give the factory's Open Supply Hub ID, or its legal name and country."))
        return data


class BuyerCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the buyer organisation"), max_length=200)


# --- helpers --------------------------------------------------------------------------------------------


def _factory_for_buyers_page(request: HttpRequest, pk: int) -> Factory:
    """The factory, if the user may see its buyers page: its own users and the programme staff who see it."""
    if request.user.effective_role == Role.BUYER:
        raise Http404
    return get_visible_or_404(request.user, Factory, pk=pk)


def _page(request: HttpRequest, queryset: Any, param: str) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))


def _querystring(request: HttpRequest, drop: str) -> str:
    params = request.GET.copy()
    params.pop(drop, None)
    return params.urlencode()


def _render_buyers_page(request: HttpRequest, factory: Factory, *, grant_form: GrantForm, status: int = 200):
    may_authorise = may(request.user, "authorise_buyers", factory)
    return render(
        request,
        "factories/buyers/page.html",
        {
            "factory": factory,
            "may_authorise": may_authorise,
            "authorisations": authorised_buyers(factory_id=factory.pk).select_related("granted_by"),
            "requests": pending_sourcing_requests(factory_id=factory.pk),
            "grant_form": grant_form,
            "history": _page(request, authorisation_history(factory_id=factory.pk), "history_page"),
            "history_querystring": _querystring(request, "history_page"),
            "reads": _page(request, factory_buyer_reads(factory_id=factory.pk), "page"),
            "reads_querystring": _querystring(request, "page"),
        },
        status=status,
    )


# --- views ----------------------------------------------------------------------------------------------


@login_required
def factory_buyers_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Authorised buyers, requests from buyers, the authorisation history and the read log of one factory."""
    factory = _factory_for_buyers_page(request, pk)
    return _render_buyers_page(request, factory, grant_form=GrantForm(user=request.user))


@login_required
@require_POST
def factory_buyer_grant(request: HttpRequest, pk: int) -> HttpResponse:
    factory = _factory_for_buyers_page(request, pk)
    if not may(request.user, "authorise_buyers", factory):
        raise PermissionDenied(_("Only the factory's own users authorise buyers."))
    form = GrantForm(request.POST, user=request.user)
    if form.is_valid():
        buyer = form.cleaned_data["buyer"]
        try:
            authorisation_grant(factory=factory, buyer=buyer, actor=request.user)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("%(buyer)s can now see your reports.") % {"buyer": buyer.name})
            return redirect("factories:buyers", pk=factory.pk)
    return _render_buyers_page(request, factory, grant_form=form)


@login_required
@require_POST
def factory_buyer_revoke(request: HttpRequest, pk: int, authorisation_id: int) -> HttpResponse:
    factory = _factory_for_buyers_page(request, pk)
    grant = get_visible_or_404(request.user, BuyerAuthorisation, pk=authorisation_id, factory_id=factory.pk)
    try:
        authorisation_revoke(authorisation_id=grant.pk, actor=request.user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("%(buyer)s can no longer see your reports.") % {"buyer": grant.buyer.name})
    return redirect("factories:buyers", pk=factory.pk)


@login_required
@require_http_methods(["GET", "POST"])
def buyer_request_access(request: HttpRequest) -> HttpResponse:
    """A buyer asks a factory for access. The answer is the same whether or not a factory matched (no oracle)."""
    if request.user.effective_role != Role.BUYER:
        raise PermissionDenied(_("Only buyer users ask factories for access."))
    form = AccessRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        country = data.get("country")
        try:
            sourcing_link_request(
                actor=request.user,
                os_id=data.get("os_id", ""),
                factory_name=data.get("factory_name", ""),
                country=country.code if country else "",
            )
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Thank you. If this factory takes part in the programme, it sees your request and decides "
                    "whether to share its reports with you; you will get an email if it does."
                ),
            )
            return redirect("home")
    return render(request, "factories/buyers/request_access.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def buyer_organisations_page(request: HttpRequest) -> HttpResponse:
    """Buyer organisations with how many factories (in the user's scope) authorise each; staff add new ones."""
    if not request.user.is_programme_staff:
        raise PermissionDenied(_("Only programme staff manage buyer organisations."))
    may_add = may(request.user, "add", model=Buyer)
    form = BuyerCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied(_("Only programme staff register buyer organisations."))
        if form.is_valid():
            try:
                buyer = buyer_create(name=form.cleaned_data["name"], actor=request.user)
            except NotPermitted as exc:
                raise PermissionDenied(exc.message) from exc
            except ApplicationError as exc:
                form.add_error("name", exc.message)
            except ValidationError as exc:
                form.add_error("name", exc.messages[0])
            else:
                messages.success(request, _("%(buyer)s was added.") % {"buyer": buyer.name})
                return redirect("factories:buyer-organisations")
    query = request.GET.get("q", "").strip()
    buyers = buyer_organisations(user=request.user)
    if query:
        buyers = buyers.filter(name__icontains=query)
    return render(
        request,
        "factories/buyers/organisations.html",
        {
            "page": _page(request, buyers, "page"),
            "querystring": _querystring(request, "page"),
            "query": query,
            "form": form,
            "may_add": may_add,
        },
    )


urlpatterns = [
    path("buyers/request-access/", buyer_request_access, name="buyer-request-access"),
    path("buyers/organisations/", buyer_organisations_page, name="buyer-organisations"),
    path("<int:pk>/buyers/", factory_buyers_page, name="buyers"),
    path("<int:pk>/buyers/grant/", factory_buyer_grant, name="buyer-grant"),
    path("<int:pk>/buyers/<int:authorisation_id>/revoke/", factory_buyer_revoke, name="buyer-revoke"),
]
