"""The one permission layer. Every page, endpoint, export and task asks it one of two questions.

* ``visible(user, Model)`` — which objects of kind K may user U see? Each model's manager defines
  ``visible_to(user)``; an object outside it does not exist for that user (404, never 403).
* ``may(user, action, obj)`` — may U do A on O? Answered by the predicates each app registers in its
  ``rules.py`` as ``<app_label>.<action>_<model_name>`` (django-rules), so ``user.has_perm`` agrees.

A model without ``visible_to`` is refused (deny by default) rather than shown to everyone.
"""

from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


def visible(user: Any, model: type[M]) -> models.QuerySet[M]:
    manager = model._default_manager
    if not hasattr(manager, "visible_to"):
        raise ImproperlyConfigured(f"{model.__name__} has no visible_to(user): nobody may see it.")
    return manager.visible_to(user)


def get_visible_or_404(user: Any, model: type[M], **lookup: Any) -> M:
    try:
        return visible(user, model).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def permission_name(action: str, model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def may(user: Any, action: str, obj: models.Model | None = None, *, model: type[models.Model] | None = None) -> bool:
    """`obj` None asks about the kind (create, list-level actions); pass `model=` then."""
    target = model or type(obj)
    return bool(user.is_authenticated and user.is_active and user.has_perm(permission_name(action, target), obj))
