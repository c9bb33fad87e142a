"""Zero tolerance (R-ADV-7): a case opened from a visit or an assessment alerts the programme manager at once
and follows its own protocol (a log, then a closure with how it was resolved), whatever the cycle's state."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advisory.models import ZeroToleranceCase, ZeroToleranceLogEntry
from betterwork.accounts.models import Role, User
from betterwork.common.email import send_templated_email
from betterwork.common.exceptions import ApplicationError
from betterwork.common.models import Notification
from factories.models import Factory
from factories.services.common import require


def case_open(*, factory: Factory, actor: Any, category: str, description: str, **source: Any) -> ZeroToleranceCase:
    require(actor, "zero_tolerance", factory)
    if not description.strip():
        raise ApplicationError(_("Describe what was found."), field="description")
    visit = source.get("visit")
    if visit is not None and visit.factory_id != factory.pk:
        raise ApplicationError(_("The visit was at another factory."), field="visit")
    with transaction.atomic():
        case = ZeroToleranceCase(
            factory=factory, category=category, description=description.strip(), opened_by=actor, **source
        )
        case.full_clean()
        case._history_user = actor
        case.save()
        ZeroToleranceLogEntry.objects.create(case=case, author=actor, text=_("Case opened."))
        managers = User.objects.filter(role=Role.PROGRAMME_MANAGER, country_id=factory.country_id, is_active=True)
        for manager in managers:
            Notification.objects.get_or_create(
                recipient=manager,
                key=f"zero-tolerance:{case.pk}",
                defaults={
                    "title": _("Zero tolerance: %(category)s at %(factory)s")
                    % {"category": case.get_category_display(), "factory": factory.name},
                    "body": case.description[:500],
                    "url": f"/factories/{factory.pk}/zero-tolerance/{case.pk}/",
                },
            )
        emails = [m.email for m in managers if m.email]
        if emails:
            send_templated_email(
                to=emails,
                name="zero_tolerance_opened",
                context={"factory": factory.name, "category": case.get_category_display(),
                         "description": case.description, "path": f"/factories/{factory.pk}/zero-tolerance/{case.pk}/"},
            )  # fmt: skip
    return case


def case_log(*, case_id: int, actor: Any, text: str) -> ZeroToleranceLogEntry:
    case = ZeroToleranceCase.objects.select_related("factory").get(pk=case_id)
    require(actor, "zero_tolerance", case.factory)
    if not text.strip():
        raise ApplicationError(_("Write the log entry."), field="text")
    return ZeroToleranceLogEntry.objects.create(case=case, author=actor, text=text.strip())


def case_close(*, case_id: int, actor: Any, note: str) -> ZeroToleranceCase:
    if not note.strip():
        raise ApplicationError(_("Say how the case was resolved."), field="note")
    with transaction.atomic():
        case = ZeroToleranceCase.objects.select_for_update(of=("self",)).select_related("factory").get(pk=case_id)
        require(actor, "zero_tolerance", case.factory)
        if case.status == ZeroToleranceCase.Status.CLOSED:
            return case
        case.status, case.closed_at, case.closed_by = ZeroToleranceCase.Status.CLOSED, timezone.now(), actor
        case.closure_note = note.strip()
        case._history_user = actor
        case.save()
        ZeroToleranceLogEntry.objects.create(case=case, author=actor, text=_("Case closed: %(note)s") % {"note": note})
    return case
