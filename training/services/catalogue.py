"""The course catalogue, sessions and industry seminars, kept by programme staff (R-TRN-1, R-TRN-3).

R-CTY-3 is checked when a factory enrols or joins (`require_modality_allowed`, per factory and date), not when
a session is created: that honours a factory's own suspended production and the manager's on-site exceptions,
and a session planned on site before a phase change stays visible while nobody can book it on site."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import Cluster
from betterwork.accounts.models import Role
from betterwork.common import translations
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.models import Country, Modality
from training.models import MAX_COURSE_DAYS, MAX_SEMINAR_PARTICIPANTS, Course, Seminar, TrainingSession


def _require_country_staff(actor: Any, country: Country) -> None:
    if not getattr(actor, "is_programme_staff", False):
        raise NotPermitted(_("Only programme staff keep the training catalogue."))
    if actor.effective_role != Role.GLOBAL_ADMIN and actor.country_id != country.code:
        raise ApplicationError(_("You keep the catalogue of your own country only."), field="country")


def _modality(modality: str) -> str:
    if modality not in Modality.values:
        raise ApplicationError(_("Choose on site, virtual or hybrid."), field="modality")
    return modality


def _country_of(actor: Any, country: Country | str | None) -> Country:
    code = country.code if isinstance(country, Country) else (country or getattr(actor, "country_id", None))
    found = Country.objects.filter(code=code).first() if code else None
    if found is None:
        raise ApplicationError(_("Choose the country programme."), field="country")
    return found


def course_create(
    *, actor: Any, title: str, days: int, country: Country | str | None = None, topic: str = "",
    cluster: Cluster | str | None = None, modality: str = Modality.ONSITE, language: str = "",
    title_translations: dict[str, str] | None = None,
) -> Course:  # fmt: skip
    """A course of 1–5 days (R-TRN-1) in the actor's country, its title in other languages optional (#10)."""
    country = _country_of(actor, country)
    _require_country_staff(actor, country)
    if not title or not title.strip():
        raise ApplicationError(_("Give the course a title."), field="title")
    if days is None or not 1 <= int(days) <= MAX_COURSE_DAYS:
        raise ApplicationError(_("A course lasts from 1 to %(max)s days.") % {"max": MAX_COURSE_DAYS}, field="days")
    if isinstance(cluster, str) and cluster:
        cluster = Cluster.objects.filter(code=cluster).first() or _no_cluster()
    course = Course(
        country=country, title=title.strip(), topic=topic.strip(), cluster=cluster or None, days=int(days),
        modality=_modality(modality), language=language, created_by=actor,
        title_translations=_title_translations(title_translations or {}),
    )  # fmt: skip
    course.full_clean()
    course.save()
    return course


def _title_translations(titles: dict[str, str]) -> dict[str, str]:
    """Language code → title, empty ones dropped; only the platform's languages."""
    known = set(translations.languages())
    if unknown := sorted(set(titles) - known):
        raise ApplicationError(
            _("Titles can be given in these languages: %(known)s (not %(unknown)s).")
            % {"known": ", ".join(sorted(known)), "unknown": ", ".join(unknown)},
            field="title_translations",
        )
    return {code: text.strip() for code, text in sorted(titles.items()) if text and text.strip()}


def _no_cluster() -> None:
    raise ApplicationError(_("Choose one of the clusters."), field="cluster")


def session_create(
    *, actor: Any, course: Course, start_date: date, capacity: int, days: int | None = None,
    modality: str | None = None, venue: str = "", link: str = "", trainer: str = "", today: date | None = None,
) -> TrainingSession:  # fmt: skip
    """A run of a course. It lasts at most as many days as its course (R-TRN-1) and starts today or later."""
    _require_country_staff(actor, course.country)
    days = course.days if days is None else int(days)
    if days < 1 or days > course.days:
        raise ApplicationError(
            _("“%(course)s” lasts %(max)s day(s): a session runs from 1 to %(max)s days.")
            % {"course": course.tr.title, "max": course.days},
            field="days",
        )
    if capacity is None or int(capacity) < 1:
        raise ApplicationError(_("A session needs room for at least one participant."), field="capacity")
    today = today or course.country.local_today()
    if start_date < today:
        raise ApplicationError(_("A new session cannot start in the past."), field="start_date")
    session = TrainingSession(
        course=course, start_date=start_date, days=days, modality=_modality(modality or course.modality),
        venue=venue, link=link, capacity=int(capacity), trainer=trainer,
    )  # fmt: skip
    session.full_clean()
    with transaction.atomic():
        session.save()
    return session


def seminar_create(
    *, actor: Any, title: str, on: date, country: Country | str | None = None, length: str = Seminar.Length.FULL_DAY,
    modality: str = Modality.ONSITE, capacity: int = MAX_SEMINAR_PARTICIPANTS, topic: str = "",
    cluster: Cluster | str | None = None, venue: str = "", today: date | None = None,
) -> Seminar:  # fmt: skip
    """An industry seminar (R-TRN-3): half or full day, at most 80 participants."""
    country = _country_of(actor, country)
    _require_country_staff(actor, country)
    if not title or not title.strip():
        raise ApplicationError(_("Give the seminar a title."), field="title")
    if capacity is None or not 1 <= int(capacity) <= MAX_SEMINAR_PARTICIPANTS:
        raise ApplicationError(
            _("An industry seminar takes from 1 to %(max)s participants.") % {"max": MAX_SEMINAR_PARTICIPANTS},
            field="capacity",
        )
    if length not in Seminar.Length.values:
        raise ApplicationError(_("A seminar lasts a half day or a full day."), field="length")
    if on < (today or country.local_today()):
        raise ApplicationError(_("A new seminar cannot take place in the past."), field="date")
    if isinstance(cluster, str) and cluster:
        cluster = Cluster.objects.filter(code=cluster).first() or _no_cluster()
    seminar = Seminar(
        country=country, title=title.strip(), topic=topic.strip(), cluster=cluster or None, date=on, length=length,
        modality=_modality(modality), venue=venue, capacity=int(capacity),
    )  # fmt: skip
    seminar.full_clean()
    seminar.save()
    return seminar
