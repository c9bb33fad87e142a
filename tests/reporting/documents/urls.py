"""The project's URLs plus the report PDFs' (until betterwork/urls.py and api_urls.py include them)."""

from django.urls import include, path

from betterwork.urls import urlpatterns as project
from reporting.api import documents as documents_api

urlpatterns = [
    path("documents/", include("reporting.views_documents")),
    path("api/v1/", include(documents_api.urlpatterns)),
    *project,
]
