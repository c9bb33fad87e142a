"""Navigation per role, built once per request for base.html."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items = [(_("Home"), reverse("home"))]
    if user is not None and user.is_authenticated:
        if user.is_programme_staff or user.effective_role == "buyer":
            items.append((_("Factories"), reverse("factories:list")))
        elif user.factory_id:
            items.append((_("My factory"), reverse("factories:detail", args=[user.factory_id])))
    items.append((_("Transparency portal"), reverse("transparency:index")))
    items.append((_("API"), reverse("api:docs")))
    if user is not None and user.is_authenticated and user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    current = request.path
    return {
        "nav_items": [
            {"label": label, "url": url, "current": current == url or (url != "/" and current.startswith(url))}
            for label, url in items
        ]
    }
