"""The staff iCal feed: open milestones as all-day events (RFC 5545). Calendar apps cannot sign in, so the
feed's address carries a signed token bound to the user and their password: changing the password
revokes every old address."""

from datetime import date, timedelta
from typing import Any

from django.core import signing
from django.utils import timezone

SALT = "advisory.calendar"


def feed_token(user: Any) -> str:
    return signing.dumps({"u": user.pk, "p": user.password[-12:]}, salt=SALT)


def user_for_token(token: str, users: Any) -> Any:
    """The active staff user a token belongs to, or None (bad token, password changed, no longer staff)."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    user = users.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or user.password[-12:] != payload.get("p") or not user.is_programme_staff:
        return None
    return user


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1)."""
    out, chunk = [], ""
    for char in line:
        if len((chunk + char).encode()) > 74:
            out.append(chunk)
            chunk = " "
        chunk += char
    return "\r\n".join([*out, chunk])


def render_calendar(milestones: Any, *, name: str) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//BetterWork//Milestones//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(name)}"]  # fmt: skip
    for milestone in milestones:
        day: date = milestone.due_date
        lines += [
            "BEGIN:VEVENT",
            f"UID:milestone-{milestone.pk}@betterwork",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(f'{milestone.get_kind_display()} — {milestone.cycle.factory.name}')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
