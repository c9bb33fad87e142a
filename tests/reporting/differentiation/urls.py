"""The project's URLs plus the differentiation page and API, for these tests until betterwork/urls.py and
betterwork/api_urls.py include them (then the extra patterns are harmless duplicates)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from betterwork import urls as project
from reporting.api import differentiation

router = DefaultRouter()
differentiation.register(router)

urlpatterns = [
    path("factories/<int:pk>/differentiation/", include("reporting.views_differentiation")),
    path("api/v1/", include((router.urls, "differentiation-api"))),
    *project.urlpatterns,
]
