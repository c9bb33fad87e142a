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
        if user.effective_role == "buyer":
            items.append((_("Buyer portal"), reverse("buyer-portal")))
        items.append((_("Assessments"), "/assessments/"))
        if user.effective_role != "buyer":
            items.append((_("Training"), "/training/"))
        if user.is_programme_staff:
            items.append((_("Agenda"), reverse("agenda")))
            items.append((_("Registrations"), reverse("factories:registration-list")))
            items.append((_("Buyers"), reverse("factories:buyer-organisations")))
        if user.effective_role in ("programme_manager", "global_admin"):
            items.append((_("Who is late"), reverse("agenda-country")))
            items.append((_("Dashboards"), reverse("dashboards")))
    else:
        items.append((_("Register a factory"), reverse("register")))
    items.append((_("Transparency portal"), reverse("transparency:index")))
    items.append((_("API"), reverse("api:docs")))
    if user is not None and user.is_authenticated and user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    # The current item: the page itself, else the longest section that contains it (/factories/registrations/1/
    # is under "Registrations", not "Factories").
    path = request.path
    sections = [url for _label, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(sections, key=len, default=None)
    return {"nav_items": [{"label": label, "url": url, "current": url == current} for label, url in items]}
