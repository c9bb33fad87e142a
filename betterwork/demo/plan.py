"""What the demo programme contains, decided in memory from a seed (no database): the same seed and
size always give the same plan. `seed.py` writes it idempotently.

Proportions follow the programme's 2019 scale (data/programme_2019.json): factories, workers and
share of women per country. Egypt, Lesotho and Pakistan are not in the 2019 figures; they get small
programmes of their own (weights below). Every country gets at least one factory at every point of
the cycle once the size allows it (POSITIONS are dealt round-robin before weights apply).
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from betterwork.common.reference import load_json
from factories.schedule import CYCLE_MONTHS, add_months, cycle_end

# Countries absent from the 2019 report: Egypt started in 2020, Pakistan is a pilot, Lesotho's
# figures are not broken out. Their relative sizes are our own estimate (factories).
EXTRA_COUNTRY_FACTORIES = {"EG": 20, "LS": 40, "PK": 10}
EXTRA_COUNTRY_PROFILE = {"EG": (1200, 55.0), "LS": (1100, 80.0), "PK": (1800, 25.0)}  # workers, women %

# A point of the service cycle: (name, weight, cycle day range or None, completed cycles, status, stage).
POSITIONS: list[tuple[str, int, tuple[int, int] | None, int, str, int]] = [
    ("registered", 5, None, 0, "awaiting_payment", 1),  # registration approved, invoice unpaid
    ("awaiting_fv1", 5, None, 0, "active", 1),  # paid, first advisory visit not yet made
    ("initial_advisory", 15, (5, 95), 0, "active", 1),  # R-CYC-1
    ("assessed", 12, (105, 150), 0, "active", 1),  # R-CYC-2/3: assessment done, report on its way
    ("published", 25, (155, 350), 0, "active", 1),  # report released, progress reports under way
    ("cycle_2", 16, (10, 350), 1, "active", 1),  # R-CYC-9
    ("cycle_3", 8, (10, 350), 2, "active", 1),
    ("stage_2", 6, (10, 350), 2, "active", 2),  # R-DIF-3
    ("suspended", 5, None, 1, "suspended", 1),  # R-REG-3: renewal unpaid
    ("exited", 3, None, 1, "exited", 1),
]

BUYERS = [
    "Northwind Apparel",
    "Atlas Outfitters",
    "Meridian Retail Group",
    "Bluebird Kids",
    "Cedar & Pine",
    "Harbourline Sportswear",
    "Lumen Denim",
    "Orchard Street",
    "Polar Peak Outdoor",
    "Riverstone Basics",
    "Saffron Home & Fashion",
    "Tidewater Workwear",
    "Urban Loom",
    "Verdant Activewear",
    "Willowmere Clothing",
]
NAME_FIRST = [
    "Golden",
    "Silver",
    "Lotus",
    "Royal",
    "Pacific",
    "Sunrise",
    "Evergreen",
    "Blue River",
    "Harbour",
    "Summit",
    "Crescent",
    "Jade",
    "Orchid",
    "Phoenix",
    "Star",
    "Coral",
    "Amber",
    "Unity",
    "Grand",
    "Bright",
]
NAME_SECOND = ["Thread", "Needle", "Loom", "Stitch", "Fabric", "Textile", "Apparel", "Fashion", "Knit", "Garment"]
NAME_FORM = {
    "BD": "{} {} Ltd.",
    "KH": "{} {} (Cambodia) Co., Ltd.",
    "EG": "{} {} S.A.E.",
    "ET": "{} {} PLC",
    "HT": "{} {} S.A.",
    "ID": "PT {} {} Indonesia",
    "JO": "{} {} Jordan LLC",
    "LS": "{} {} (Pty) Ltd",
    "NI": "{} {} Nicaragua S.A.",
    "VN": "{} {} Vietnam Company Limited",
    "PK": "{} {} (Pvt.) Ltd.",
}
CITIES = {
    "BD": ["Gazipur", "Savar", "Narayanganj", "Chattogram"],
    "KH": ["Phnom Penh", "Kandal", "Kampong Speu"],
    "EG": ["Tenth of Ramadan", "Port Said", "Alexandria"],
    "ET": ["Hawassa", "Addis Ababa", "Mekelle"],
    "HT": ["Port-au-Prince", "Caracol", "Ouanaminthe"],
    "ID": ["Bogor", "Semarang", "Bandung", "Karawang"],
    "JO": ["Al Hassan Industrial Estate", "Al Dulayl", "Sahab"],
    "LS": ["Maseru", "Maputsoe"],
    "NI": ["Managua", "Masaya", "Tipitapa"],
    "VN": ["Ho Chi Minh City", "Dong Nai", "Binh Duong", "Hai Phong"],
    "PK": ["Lahore", "Faisalabad", "Karachi"],
}
SECTOR_FOOTWEAR_SHARE = 0.12  # in countries whose programme covers footwear (KH, VN)


@dataclass
class FactoryPlan:
    country: str
    index: int  # 1-based within the country: stable natural key for users
    name: str
    city: str
    sector: str
    workers: int
    women_percent: float
    position: str
    status: str
    stage: int
    cycles: list[tuple[date, date, str]] = field(default_factory=list)  # (start, end, status)
    buyers: list[str] = field(default_factory=list)
    advisor_index: int = 0


def country_weights(size: int) -> dict[str, int]:
    """Factories per country: the 2019 proportions by largest remainder, at least one position-set each."""
    scale = {row["code"]: row["factories"] for row in load_json(__file__, "programme_2019.json")["countries"]}
    scale.update(EXTRA_COUNTRY_FACTORIES)
    floor = min(len(POSITIONS), size // len(scale)) or 1
    remaining = max(size - floor * len(scale), 0)
    total = sum(scale.values())
    shares = {code: remaining * weight / total for code, weight in scale.items()}
    counts = {code: floor + math.floor(share) for code, share in shares.items()}
    leftovers = sorted(scale, key=lambda code: (shares[code] - math.floor(shares[code]), code), reverse=True)
    for code in leftovers[: size - sum(counts.values())]:
        counts[code] += 1
    return dict(sorted(counts.items()))


def _profile(code: str) -> tuple[int, float]:
    for row in load_json(__file__, "programme_2019.json")["countries"]:
        if row["code"] == code:
            women = row["women_pct"] if row["women_pct"] is not None else 73.5
            return round(row["workers"] / row["factories"]), women
    return EXTRA_COUNTRY_PROFILE[code]


def _cycles(rng: random.Random, today: date, day_range: tuple[int, int] | None, completed: int, status: str):
    """(start, end, status) of each cycle, in calendar months (factories.schedule)."""
    if day_range is None and completed == 0:
        return []
    if day_range is None:  # suspended or exited: the last cycle ended some 1 to 7 months ago
        current = add_months(today - timedelta(days=rng.randint(30, 200)), -CYCLE_MONTHS)
        starts = [add_months(current, -CYCLE_MONTHS * (completed - 1 - i)) for i in range(completed)]
        return [(start, cycle_end(start), "closed") for start in starts]
    current = today - timedelta(days=rng.randint(*day_range))
    starts = [add_months(current, -CYCLE_MONTHS * (completed - i)) for i in range(completed)]
    return [*((start, cycle_end(start), "closed") for start in starts), (current, cycle_end(current), "open")]


def build_plan(*, size: int, seed: int, today: date, sectors: dict[str, list[str]]) -> list[FactoryPlan]:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    plans: list[FactoryPlan] = []
    for code, count in country_weights(size).items():
        mean_workers, women = _profile(code)
        positions = [p[0] for p in POSITIONS][:count]
        positions += rng.choices([p[0] for p in POSITIONS], weights=[p[1] for p in POSITIONS], k=count - len(positions))
        rng.shuffle(positions)
        used: set[str] = set()
        for index, position in enumerate(positions, start=1):
            _, _, day_range, completed, status, stage = next(p for p in POSITIONS if p[0] == position)
            base = NAME_FORM[code].format(rng.choice(NAME_FIRST), rng.choice(NAME_SECOND))
            name, n = base, 1
            while name in used:
                n += 1
                name = f"{base} {n}"
            used.add(name)
            footwear = "footwear" in sectors[code] and rng.random() < SECTOR_FOOTWEAR_SHARE
            plans.append(
                FactoryPlan(
                    country=code,
                    index=index,
                    name=name,
                    city=rng.choice(CITIES[code]),
                    sector="footwear" if footwear else "apparel",
                    workers=max(80, min(20_000, round(rng.lognormvariate(math.log(mean_workers), 0.6)))),
                    women_percent=round(max(5.0, min(98.0, rng.gauss(women, 8.0))), 1),
                    position=position,
                    status=status,
                    stage=stage,
                    cycles=_cycles(rng, today, day_range, completed, status),
                    buyers=rng.sample(BUYERS, k=rng.choice([0, 1, 2, 2, 3, 4])) if status != "awaiting_payment" else [],
                    advisor_index=index,
                )
            )
    return plans


def advisors_needed(count: int) -> int:
    """About 25 factories per enterprise advisor, at least one per country."""
    return max(1, math.ceil(count / 25))
