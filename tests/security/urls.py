"""The project's URLs plus one view that fails: the 500 page must carry the same security headers."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from betterwork.urls import urlpatterns as project_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a deliberate server error (tests/security)")


urlpatterns = [path("__security-test-boom__/", boom), *project_urlpatterns]
