"""The project's URLs plus the dashboards page and API, for these tests until betterwork/urls.py and
betterwork/api_urls.py include them (then the extra patterns are harmless duplicates)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from betterwork import urls as project
from reporting.api import dashboards

router = DefaultRouter()
dashboards.register(router)

urlpatterns = [
    path("dashboards/", include("reporting.views_dashboards")),
    path("api/v1/", include((router.urls, "dashboards-api"))),
    *project.urlpatterns,
]
