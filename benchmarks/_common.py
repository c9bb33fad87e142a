"""What the benchmarks share: the `BENCH_RESULT` line that benchmarks/run_all.py collects, and a fresh
PostgreSQL database for a run. Not a benchmark itself (run_all.py skips files whose name starts with "_")."""

import json
from urllib.parse import urlparse


def result(name: str, value: float, unit: str, floor: float | None = None, better: str = "lower") -> None:
    """One figure for benchmarks/run_all.py: `better` says which side of `floor` passes."""
    line = {"name": name, "value": round(value, 3), "unit": unit, "floor": floor, "better": better}
    print("BENCH_RESULT " + json.dumps(line), flush=True)


def recreate_database(url: str, *, drop: bool = True) -> None:
    """Create the PostgreSQL database named in `url` (dropped first with `drop`, else kept when it exists)."""
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    conn = psycopg2.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username,
                            password=parsed.password, dbname="postgres")  # fmt: skip
    conn.autocommit = True
    with conn.cursor() as cursor:
        if drop:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
