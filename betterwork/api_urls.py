"""/api/v1/: every app's router, the token endpoint, the OpenAPI schema and its docs."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter, SimpleRouter

from advisory.api import plan as plan_api
from advisory.api import reports as reports_api
from advisory.api import views as advisory_api
from advisory.api import zero_tolerance as zero_tolerance_api
from assessments.api import views as assessments_api
from betterwork.accounts.api.views import TokenView, UserViewSet
from betterwork.common.api import notifications
from factories.api import buyers, committee, cycles, registration
from factories.api.views import CountryViewSet, FactoryViewSet
from reporting.api import dashboards as dashboards_api
from reporting.api import differentiation as differentiation_api
from reporting.api import documents as documents_api
from reporting.api import transparency as transparency_api
from training.api import views as training_api

app_name = "api"

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("countries", CountryViewSet, basename="country")
router.register("factories", FactoryViewSet, basename="factory")
for area in (
    registration,
    buyers,
    committee,
    cycles,
    advisory_api,
    plan_api,
    zero_tolerance_api,
    notifications,
    reports_api,
    assessments_api,
    training_api,
    differentiation_api,
    dashboards_api,
):
    area.register(router)

# The public portal's JSON is the busiest route: matched first (its own router, so it is not in the API root).
public = SimpleRouter()
transparency_api.register(public)

urlpatterns = [
    *public.urls,
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI ships an inline <style>: the docs page alone may use inline styles (never scripts).
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    *documents_api.urlpatterns,  # .../report.pdf: the router would add a trailing slash
    *router.urls,
]
