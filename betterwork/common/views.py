"""The notification centre: each user's own notifications (there is no other scope)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from betterwork.accounts.policy import visible
from betterwork.common.models import Notification


@login_required
def notification_list_page(request: HttpRequest) -> HttpResponse:
    notifications = visible(request.user, Notification)
    if request.GET.get("unread"):
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "unread_only": bool(request.GET.get("unread")),
            "querystring": "unread=1" if request.GET.get("unread") else "",
        },
    )


@login_required
@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (`id`) or all of the user's notifications read."""
    mine = visible(request.user, Notification).filter(read_at__isnull=True)
    if request.POST.get("id"):
        mine = mine.filter(pk=request.POST["id"])
    mine.update(read_at=timezone.now())
    return redirect(request.POST.get("next") or "notifications")


urlpatterns = [
    path("", notification_list_page, name="notifications"),
    path("read/", notification_mark_read, name="notifications-read"),
]
