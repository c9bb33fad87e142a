"""Country programmes, loaded by `migrate` (post_migrate) from factories/data/countries.json.

Idempotent. Name, programme type, sectors, languages and time zone follow the file; the service phase
and the public-reporting date come from the file only when a country is created, because programme
managers edit them afterwards (PATCH /api/v1/countries/{code}/).
"""

from typing import Any

from betterwork.common.reference import load_json
from factories.models import Country


def sync_countries() -> int:
    rows = load_json(__file__, "countries.json")["countries"]
    for row in rows:
        fixed = {key: row[key] for key in ("name", "programme", "sectors", "languages", "timezone")}
        Country.objects.update_or_create(
            code=row["code"],
            defaults=fixed,
            create_defaults={
                **fixed,
                "phase": row["covid_phase"] or Country.Phase.ONSITE,
                "public_reporting_since": row["public_reporting_since"],
            },
        )
    return len(rows)


def sync_reference_data(**kwargs: Any) -> None:
    sync_countries()
