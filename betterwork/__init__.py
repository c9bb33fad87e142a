"""The BetterWork platform: project package (settings, URLs, Celery app, shared bases)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
