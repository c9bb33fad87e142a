"""The project's URLs plus the buyer portal, for these tests until betterwork/urls.py mounts it at /buyer/
(then the extra pattern is a harmless duplicate)."""

from django.urls import include, path

from betterwork import urls as project

urlpatterns = [path("buyer/", include("reporting.views_buyers")), *project.urlpatterns]
