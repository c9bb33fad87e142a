"""Query-string filters shared by every app's API."""

from typing import Any

import django_filters

MAX_ID = 2**63 - 1  # the largest value a bigint primary key column holds


class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number the database can hold. `?factory=1e20` is a 400 that says so, not a 500."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)
