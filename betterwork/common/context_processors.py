from typing import Any

from django.http import HttpRequest

from betterwork.accounts.policy import visible
from betterwork.common.models import Notification


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the header's bell (one query, only for signed-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": visible(user, Notification).filter(read_at__isnull=True).count()}
