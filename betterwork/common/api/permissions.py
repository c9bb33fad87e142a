"""The API's default permission class: deny by default, decisions from the policy layer.

A view declares what each action needs in ``policy = {action: rule}``:

* ``PUBLIC`` — anyone, even anonymous (reference data, the public portal);
* ``VIEW`` — any signed-in user; rows are scoped by ``get_queryset`` (``policy.visible``), so an
  object the user may not see answers 404;
* any other string ``A`` — ``policy.may(user, A, obj)`` on detail routes (403 when the object is
  visible but the action is not allowed), ``policy.may(user, A, model=view.policy_model)`` on
  collection routes.

An action missing from ``policy`` is refused.
"""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from betterwork.accounts.policy import may

PUBLIC = "__public__"
VIEW = "__view__"


def _rule(request: Request, view: Any) -> str | None:
    action = getattr(view, "action", None)
    if action == "metadata":
        # OPTIONS describes the route: allowed to whoever may GET it (VIEW where it has no GET); the methods it
        # then lists are each checked as themselves (DRF re-checks a cloned request per method).
        methods = getattr(view, "action_map", {})
        action = methods.get("get") if request.method == "OPTIONS" else methods.get(request.method.lower())
        if action is None and request.method == "OPTIONS":
            return VIEW
    return getattr(view, "policy", {}).get(action or request.method.lower())


class PolicyPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not hasattr(view, request.method.lower()):
            return True  # no handler for this method: nothing runs, the view answers 405
        rule = _rule(request, view)
        if rule == PUBLIC:
            return True
        user = request.user
        if rule is None or not (user and user.is_authenticated and user.is_active):
            return False
        if rule == VIEW or getattr(view, "detail", False):
            return True
        return may(user, rule, model=view.policy_model)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        rule = _rule(request, view)
        return rule in (PUBLIC, VIEW) or may(request.user, rule, obj)
