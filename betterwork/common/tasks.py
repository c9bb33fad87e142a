"""Platform tasks. Domain tasks live in each app's tasks.py."""

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from betterwork.common.models import Heartbeat


@shared_task(name="betterwork.common.tasks.heartbeat")
def heartbeat(name: str = "worker") -> int:
    """Record that a worker ran now. Idempotent in effect: it only moves `beat_at` forward."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(beat_at=now, count=F("count") + 1)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"beat_at": now, "count": 1})
    return Heartbeat.objects.get(name=name).count
