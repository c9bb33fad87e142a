"""Abstract bases and the platform's own bookkeeping rows (no domain knowledge here)."""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """One row per beat-driven pulse source: the last time a Celery worker ran the heartbeat task.

    `/healthz` reads it to tell whether beat and a worker are both alive.
    """

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("heartbeat")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> "NotificationQuerySet":
        """A notification is its recipient's alone."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(recipient=user)


class Notification(models.Model):
    """An in-app message to one user (the notification centre); emails are sent alongside.

    `key` makes a notification idempotent: the same event never notifies the same person twice.
    """

    recipient = models.ForeignKey(
        "accounts.User", verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # claimed by the one task that emails it

    objects: ClassVar[NotificationQuerySet] = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=("recipient", "key"), name="%(app_label)s_%(class)s_once_per_event"),
        ]

    def __str__(self) -> str:
        return self.title


class OutboxEmail(models.Model):
    """An email written in the same transaction as the change that causes it, sent by a worker.

    If the broker is down when the request commits, the row waits; the beat sweep (`outbox_flush`)
    sends what is still unsent. `sent_at` is claimed by conditional update: each email goes out once.
    """

    to = models.JSONField()
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict)
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=("sent_at", "created_at"), name="common_outbox_unsent")]

    def __str__(self) -> str:
        return f"{self.template} → {', '.join(self.to)}"
