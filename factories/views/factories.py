"""Factory pages: the list (staff and buyers) and one factory's profile."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from betterwork.accounts.policy import get_visible_or_404
from factories.filtersets import FactoryFilterSet
from factories.models import Factory
from factories.selectors import authorised_buyers, factory_list, with_current_cycle

SORTS = {"name": ("name", "id"), "-workers": ("-workers", "id"), "country": ("country__name", "name", "id")}


@login_required
def factory_list_page(request: HttpRequest) -> HttpResponse:
    filterset = FactoryFilterSet(request.GET, queryset=factory_list(user=request.user))
    queryset = filterset.qs
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(name__icontains=query)
    sort = request.GET.get("sort", "name")
    queryset = queryset.order_by(*SORTS.get(sort, SORTS["name"]))
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "factories/list.html",
        {"filter": filterset, "page": page, "query": query, "sort": sort, "querystring": params.urlencode()},
    )


@login_required
def factory_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    factory = with_current_cycle(Factory.objects.select_related("country", "advisor")).get(pk=factory.pk)
    show_buyers = request.user.is_programme_staff or request.user.factory_id == factory.pk
    return render(
        request,
        "factories/detail.html",
        {
            "factory": factory,
            "cycles": factory.cycles.order_by("-number"),
            "authorisations": authorised_buyers(factory_id=factory.pk) if show_buyers else None,
        },
    )


urlpatterns = [
    path("", factory_list_page, name="list"),
    path("<int:pk>/", factory_detail_page, name="detail"),
]
