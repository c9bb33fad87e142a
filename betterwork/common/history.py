"""Who changed what, and when: entries built from django-simple-history records, for pages and the API.

No domain knowledge: any model with `history = HistoricalRecords()` works.
"""

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

CHANGE_NAMES = {"+": "created", "~": "changed", "-": "deleted"}
_NOT_SHOWN = frozenset({"id", "created_at", "updated_at"})


def _plain(value: Any) -> Any:
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    return value


def _shown(model_field: Any, value: Any) -> str:
    """A value as a page shows it: the choice's label, yes / no, "—" for nothing."""
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(_plain(value))


def history_entries(obj: Any) -> list[dict[str, Any]]:
    """The object's history, oldest first: `{"at", "by", "change", "reason", "fields": {name: {"from", "to"}}}`.

    `fields` holds what the change set: every filled-in field on creation, the fields that differ from the
    previous record afterwards. One query (the user comes with the records)."""
    return history_of(obj.history.all())


def history_of(records: QuerySet) -> list[dict[str, Any]]:
    """Entries for any set of history records (several objects' records may be mixed: each is diffed against the
    previous record of the same object). Links to the parent (meeting, committee) never change and are left out."""
    records = list(records.select_related("history_user").order_by("history_date", "history_id"))
    entries, previous = [], {}
    for record in records:
        model_fields = [f for f in record.instance_type._meta.fields if f.name not in _NOT_SHOWN and not f.is_relation]
        before = previous.get(record.id)
        fields, shown = {}, []
        for model_field in model_fields:
            new = getattr(record, model_field.name)
            old = getattr(before, model_field.name) if before is not None else None
            if (before is None and new not in (None, "")) or (before is not None and old != new):
                fields[model_field.name] = {"from": _plain(old), "to": _plain(new)}
                shown.append(
                    {
                        "label": model_field.verbose_name,
                        "from": _shown(model_field, old) if before is not None else None,
                        "to": _shown(model_field, new),
                    }
                )
        previous[record.id] = record
        user = record.history_user
        entries.append(
            {
                "at": record.history_date,
                "by": user.get_username() if user else None,
                "change": CHANGE_NAMES.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                "fields": fields,
                # for pages: the record itself, and the changes with translated names and values
                "record": record,
                "shown": shown,
            }
        )
    return entries


def history_by_object(records: QuerySet) -> dict[int, list[dict[str, Any]]]:
    """`history_of` for many objects at once (one query), grouped by the object's id."""
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in history_of(records):
        grouped[entry["record"].id].append(entry)
    return grouped
