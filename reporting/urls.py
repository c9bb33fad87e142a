"""/transparency/: the public portal (R-PUB) and the factories' responses and their moderation (R-PUB-5)."""

from reporting.views import urlpatterns

app_name = "transparency"

__all__ = ["app_name", "urlpatterns"]
