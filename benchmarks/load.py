"""Benchmark: load (issue 9 "Load"): gunicorn + PostgreSQL + Redis on loopback, 50 concurrent users, bounded in time.

    .venv/bin/python benchmarks/load.py [--seconds 60] [--users 50] [--workers 3] [--think 1.0] [--fresh]

Needs a PostgreSQL server and a Redis server (the CI services mode). The database is `--database-url`
(default `postgres://postgres@127.0.0.1:5432/betterwork_load`): created when missing (`--fresh` drops it first),
migrated and seeded with `seed_demo` (idempotent), then served by gunicorn with the production settings
(`betterwork.settings.production`, as in docker-compose.yml: `--workers 3`, sync workers) on 127.0.0.1, Redis
`--redis-url` (default `redis://127.0.0.1:6379/2`) as cache. Only three things differ from production, in a
settings module written to a temporary folder: `STATIC_ROOT` (collectstatic runs into the temporary folder, not
into the checkout), `SECURE_SSL_REDIRECT=false` (plain HTTP on loopback: no TLS terminator), and `NUM_PROXIES=1`
with every virtual user sending its own `X-Forwarded-For` address, as clients behind a reverse proxy do (else the
50 users share one address and the anonymous API throttle, 60/min per address, refuses most of them).

The mix, per virtual user (a closed loop: request, then a random think time of 0.5x..1.5x `--think` seconds):
  * anonymous (40 %): the public portal `/transparency/` (filtered and not), a factory's public page,
    `GET /api/v1/public/transparency/`;
  * factory users (40 %), signed in through the login form: home, their factory, its improvement plan, its cycle,
    the assessments list; with an API token: `GET /api/v1/factories/`, `GET /api/v1/assessments/`; a report
    download: the improvement plan as CSV;
  * buyer users (20 %), signed in: the buyer portal, an authorising factory there; with a token the API lists;
    a report download: the released assessment report PDF (`GET /api/v1/assessments/{id}/report.pdf`, rendered
    once before the run) when that route exists, else the factory's improvement plan CSV.

Prints p50, p95, p99, requests and errors per route (an error: a transport failure or a status that route should
not answer: anything but 200, and 202 for a PDF being made), then the goals (0 errors; p95 < 300 ms for the public
portal, < 500 ms signed in) and `BENCH_RESULT {json}` lines (see benchmarks/run_all.py). Exit status 0 even when a
goal is missed: the figures are the product; `run_all.py` compares them with their floors.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import recreate_database, result  # noqa: E402

BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python") if (BIN / "python").exists() else sys.executable
DEMO_PASSWORD = "betterwork-demo"  # noqa: S105 - seed_demo's documented password for every demo account
PUBLIC_P95_MS, SIGNED_IN_P95_MS = 300, 500  # issue 9 "Load"
PUBLIC_P99_MS, MIN_THROUGHPUT = 800, 20  # RELIABILITY.md §4: public page, 50 users: p99 < 800 ms, >= 20 req/s
RNG = random.Random()  # noqa: S311 - a load mix, not cryptography

SETTINGS = '''"""Production settings for benchmarks/load.py: static files collected to a temporary folder."""
from betterwork.settings.production import *  # noqa: F403

STATIC_ROOT = {static_root!r}
# Clients come through a (simulated) reverse proxy, as NUM_PROXIES=1 tells DRF: allauth's own rate limits
# ("login": 30/m per address) must read the client's address too, else all 50 users share one budget.
ALLAUTH_TRUSTED_PROXY_COUNT = 1
'''

# Runs inside `manage.py shell`: the users, ids and API tokens the virtual users need, as one JSON line.
SETUP = r"""
import json
from rest_framework.authtoken.models import Token
from betterwork.accounts.models import Role, User
from betterwork.accounts.policy import visible
from assessments.models import Assessment
from factories.models import Factory

out = {"factory": [], "buyer": [], "pdf": None}
for user in User.objects.filter(role=Role.FACTORY, is_active=True, factory__isnull=False).order_by("pk")[:LIMIT]:
    out["factory"].append({"username": user.username, "factory": user.factory_id,
                           "token": Token.objects.get_or_create(user=user)[0].key})
for user in User.objects.filter(role=Role.BUYER, is_active=True).order_by("pk")[:LIMIT]:
    factory = visible(user, Factory).order_by("pk").first()
    if factory is None:
        continue
    published = visible(user, Assessment).filter(factory=factory, status="published").order_by("-pk").first()
    out["buyer"].append({"username": user.username, "factory": factory.pk,
                         "assessment": published.pk if published else None,
                         "token": Token.objects.get_or_create(user=user)[0].key})
try:  # the report PDF, rendered once so that downloads serve the cached file (no Celery worker in this run)
    from reporting.documents import document_render, document_request
    from reporting.models.documents import RenderedDocument

    for row in out["buyer"]:
        if row["assessment"]:
            user = User.objects.get(username=row["username"])
            document = document_request(kind="assessment_report", obj=Assessment.objects.get(pk=row["assessment"]),
                                        language=user.language or "en", user=user)
            if document.status != RenderedDocument.Status.READY:
                document_render(document.pk)
            out["pdf"] = "rendered"
except Exception as error:  # noqa: BLE001 - reported, the run goes on without PDFs
    out["pdf"] = f"not rendered: {type(error).__name__}: {error}"
print("SETUP_JSON " + json.dumps(out))
"""


@dataclass
class Sample:
    route: str
    group: str  # public | signed_in | login
    status: int
    ms: float
    error: str = ""


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class Browser:
    """One virtual user: its own cookies (kept by hand: the production cookies are `Secure`, `__Host-` prefixed,
    which a cookie jar would never send over plain HTTP) and its own client address."""

    def __init__(self, port: int, address: str, token: str = "") -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.address = address
        self.token = token

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None,
                api: bool = False) -> tuple[int, dict, bytes]:  # fmt: skip
        send = {"Host": "127.0.0.1", "X-Forwarded-For": self.address, "User-Agent": "betterwork-load"}
        if api and self.token:
            send["Authorization"] = f"Token {self.token}"
        elif self.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        send.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=send)
            response = connection.getresponse()
            content = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, content
        finally:
            connection.close()

    def login(self, username: str) -> int:
        status, _headers, page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            return status or 599
        form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "login": username,
                          "password": DEMO_PASSWORD}).encode()  # fmt: skip
        status, headers, _page = self.request(
            "POST", "/accounts/login/", body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        return 200 if status == 302 and "/accounts/login" not in headers.get("location", "") else status or 599


def timed(results: Results, browser: Browser, route: str, group: str, path: str, *, api: bool = False,
          accept: tuple[int, ...] = (200,)) -> None:  # fmt: skip
    started = time.perf_counter()
    try:
        status, _headers, _body = browser.request("GET", path, api=api)
        error = "" if status in accept else f"HTTP {status}"
    except (OSError, http.client.HTTPException) as exc:
        status, error = 0, type(exc).__name__
    results.add(Sample(route, group, status, (time.perf_counter() - started) * 1000, error))


def mix(kind: str, me: dict | None, data: dict) -> list[tuple[int, str, str, bool]]:
    """(weight, route label, path, with the API token) for one kind of virtual user."""
    if kind == "public":
        ids = data["public_factories"] or [0]
        return [
            (4, "GET /transparency/", "/transparency/", False),
            (2, "GET /transparency/?country=", f"/transparency/?country={RNG.choice(['KH', 'BD', 'VN', 'JO'])}",
             False),
            (2, "GET /transparency/factories/{id}/", f"/transparency/factories/{RNG.choice(ids)}/", False),
            (3, "GET /api/v1/public/transparency/", "/api/v1/public/transparency/", False),
        ]  # fmt: skip
    pk = me["factory"]
    if kind == "factory":
        return [
            (2, "GET / (factory)", "/", False),
            (2, "GET /factories/{id}/", f"/factories/{pk}/", False),
            (2, "GET /factories/{id}/plan/", f"/factories/{pk}/plan/", False),
            (1, "GET /factories/{id}/cycle/", f"/factories/{pk}/cycle/", False),
            (1, "GET /assessments/", "/assessments/", False),
            (2, "GET /api/v1/factories/", "/api/v1/factories/", True),
            (2, "GET /api/v1/assessments/", "/api/v1/assessments/", True),
            (1, "GET /factories/{id}/plan.csv", f"/factories/{pk}/plan.csv", False),
        ]
    download = (
        (2, "GET /api/v1/assessments/{id}/report.pdf", f"/api/v1/assessments/{me['assessment']}/report.pdf", True)
        if data.get("pdf_route") and me.get("assessment")
        else (2, "GET /factories/{id}/plan.csv (buyer)", f"/factories/{pk}/plan.csv", False)
    )
    return [
        (2, "GET /buyer/", "/buyer/", False),
        (2, "GET /buyer/factories/{id}/", f"/buyer/factories/{pk}/", False),
        (2, "GET /api/v1/factories/ (buyer)", "/api/v1/factories/", True),
        (2, "GET /api/v1/assessments/ (buyer)", "/api/v1/assessments/", True),
        download,
    ]


def _accept(path: str) -> tuple[int, ...]:
    return (200, 202) if path.endswith(".pdf") else (200,)


def baseline(args: argparse.Namespace, data: dict, results: Results, repeat: int = 5) -> None:
    """One user alone, every route `repeat` times: the service time without queueing, to compare with the run."""
    for kind in ("public", "factory", "buyer"):
        me = data[kind][0] if kind != "public" else None
        browser = Browser(args.port, "10.254.0.1", token=me["token"] if me else "")
        if me and browser.login(me["username"]) != 200:
            continue
        for _weight, route, path, api in mix(kind, me, data):
            for _ in range(repeat):
                timed(results, browser, route, "baseline", path, api=api, accept=_accept(path))


def run_user(kind: str, n: int, args: argparse.Namespace, data: dict, clock: dict, results: Results,
             start_barrier: threading.Barrier) -> None:  # fmt: skip
    """Signs in (when not anonymous), waits until every user has, then loops until the deadline."""
    address = f"10.{n // 250}.{n % 250}.{RNG.randint(1, 254)}"
    rows = data[kind] if kind != "public" else []
    me = rows[n % len(rows)] if rows else None
    browser = Browser(args.port, address, token=me["token"] if me else "")
    if me:
        started = time.perf_counter()
        status = browser.login(me["username"])
        results.add(Sample("POST /accounts/login/", "login", status, (time.perf_counter() - started) * 1000,
                           "" if status == 200 else f"login failed: HTTP {status}"))  # fmt: skip
    start_barrier.wait()  # its action sets the deadline once every user is signed in
    deadline = clock["deadline"]
    group = "public" if kind == "public" else "signed_in"
    while time.perf_counter() < deadline:
        _weight, route, path, api = _pick(mix(kind, me, data))
        timed(results, browser, route, group, path, api=api, accept=_accept(path))
        if args.think > 0:
            time.sleep(args.think * RNG.uniform(0.5, 1.5))


def _pick(choices: list[tuple]) -> tuple:
    return RNG.choices(choices, weights=[c[0] for c in choices])[0]


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _manage(env: dict, *argv: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
       [PYTHON, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)  # fmt: skip
    if done.returncode:
        sys.exit(f"manage.py {' '.join(argv[:1])} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited at start; see its error log")
        try:
            status, _h, _b = Browser(port, "127.0.0.1").request("GET", "/healthz")
            if status in (200, 503):
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not answer within a minute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the measured run")
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (docker-compose.yml: 3)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1: sync workers)")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between a user's requests (s)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the database first")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/betterwork_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/2")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally` below: stop gunicorn
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("--database-url must be a PostgreSQL URL")

    work = Path(tempfile.mkdtemp(prefix="bw-load-"))
    (work / "bench_load_settings.py").write_text(SETTINGS.format(static_root=str(work / "static")))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(work), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "bench_load_settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "NUM_PROXIES": "1",
        "BETTERWORK_VAR_DIR": str(work / "var"),
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",
    }
    started = time.perf_counter()
    recreate_database(args.database_url, drop=args.fresh)
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "seed_demo", "--quiet-logins")
    _manage(env, "rebuild_transparency")  # seed_demo publishes without filling the portal's listing tables
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    out = _manage(env, "shell", "-c", SETUP.replace("LIMIT", str(args.users)))
    data = json.loads(next(line for line in out.splitlines() if line.startswith("SETUP_JSON "))[11:])
    data["public_factories"] = json.loads(
        next(line for line in _manage(env, "shell", "-c", _PUBLIC_IDS).splitlines() if line.startswith("["))
    )
    print(f"setup: database, seed, static files, {len(data['factory'])} factory and {len(data['buyer'])} buyer "
          f"logins, {len(data['public_factories'])} listed factories, PDF {data['pdf']}, "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    if not data["factory"] or not data["buyer"]:
        sys.exit("seed_demo made no factory or buyer users")

    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn
        [str(BIN / "gunicorn"), "betterwork.wsgi", "--bind", f"127.0.0.1:{args.port}", "--workers",
         str(args.workers), "--threads", str(args.threads), "--access-logfile", str(work / "access.log"),
         "--error-logfile", "-", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for(args.port, server)
        probe = Browser(args.port, "10.255.0.1", token=data["buyer"][0]["token"])
        pdf_assessment = next((b["assessment"] for b in data["buyer"] if b["assessment"]), None)
        if pdf_assessment and data["pdf"] == "rendered":
            status, _h, _b = probe.request("GET", f"/api/v1/assessments/{pdf_assessment}/report.pdf", api=True)
            data["pdf_route"] = status in (200, 202)
        # Warm every worker (imports, template loading) before measuring.
        for _ in range(args.workers * 3):
            Browser(args.port, "10.255.0.2").request("GET", "/transparency/")
        results = Results()
        baseline(args, data, results)
        cpu_before = _cpu_seconds(server.pid), time.process_time(), os.getloadavg()
        kinds = ["public"] * round(args.users * 0.4) + ["factory"] * round(args.users * 0.4)
        kinds += ["buyer"] * (args.users - len(kinds))
        clock: dict[str, float] = {}
        barrier = threading.Barrier(
            len(kinds), action=lambda: clock.update(deadline=time.perf_counter() + args.seconds)
        )
        with ThreadPoolExecutor(max_workers=len(kinds)) as pool:
            futures = [
                pool.submit(run_user, kind, n, args, data, clock, results, barrier) for n, kind in enumerate(kinds)
            ]
            for future in futures:
                future.result()
        measured = args.seconds
        cpu = (_cpu_seconds(server.pid) - cpu_before[0], time.process_time() - cpu_before[1], os.getloadavg()[0])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    _report(results, measured, args, work)
    print(f"CPU during the run (incl. sign-ins): gunicorn {cpu[0]:.0f} s, this load generator {cpu[1]:.0f} s, "
          f"of {measured * (os.cpu_count() or 1):.0f} core-seconds; load average {cpu[2]:.1f} at the end "
          f"({os.cpu_count()} cores)")  # fmt: skip
    failed = any(sample.error for sample in results.samples)
    shutil.rmtree(work / "static" if failed else work, ignore_errors=True)  # keep the server's logs when it failed


_PUBLIC_IDS = (
    "import json; from reporting.models import PublicListing; "
    "print(json.dumps(list(PublicListing.objects.order_by('pk').values_list('factory_id', flat=True)[:200])))"
)


def _cpu_seconds(master: int) -> float:
    """User + system CPU seconds of gunicorn's master and workers so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == master or int(fields[1]) == master:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _report(results: Results, measured: float, args: argparse.Namespace, work: Path) -> None:
    by_route: dict[str, list[Sample]] = defaultdict(list)
    alone: dict[str, list[float]] = defaultdict(list)
    for sample in results.samples:
        if sample.group == "baseline":
            alone[sample.route].append(sample.ms)
        else:
            by_route[sample.route].append(sample)
    print(f"\n{args.users} users, {measured:.0f} s, think {args.think} s, gunicorn {args.workers} workers x "
          f"{args.threads} threads; 'alone': median of 5 requests by one user before the run")  # fmt: skip
    print(f"{'route':<44} {'n':>6} {'alone':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    groups: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for route in sorted(by_route, key=lambda r: (by_route[r][0].group, r)):
        samples = by_route[route]
        times = [s.ms for s in samples]
        failed = [s for s in samples if s.error]
        group = samples[0].group
        groups[group].extend(times)
        errors[group] += len(failed)
        why = f"  {sorted({s.error for s in failed})[:3]}" if failed else ""
        single = f"{statistics.median(alone[route]):>6.0f}" if alone.get(route) else f"{'-':>6}"
        print(f"{route:<44} {len(samples):>6} {single} {percentile(times, 50):>7.0f} {percentile(times, 95):>7.0f} "
              f"{percentile(times, 99):>7.0f} {len(failed):>6}{why}")  # fmt: skip
    baseline_errors = sum(1 for s in results.samples if s.group == "baseline" and s.error)
    if baseline_errors:
        print(f"{baseline_errors} errors in the single-user pass (not counted below)")
    total = sum(len(groups[g]) for g in ("public", "signed_in"))
    print(f"throughput: {total / measured:.1f} requests/s (logins excluded)")
    figures = []
    for group, goal in (("public", PUBLIC_P95_MS), ("signed_in", SIGNED_IN_P95_MS)):
        if groups[group]:
            p95 = percentile(groups[group], 95)
            verdict = "met" if p95 < goal and not errors[group] else "MISSED"
            print(f"goal {group}: p95 {p95:.0f} ms (< {goal} ms), {errors[group]} errors (0): {verdict}")
            figures.append((f"{group} p50", percentile(groups[group], 50), "ms", None, "lower"))
            figures.append((f"{group} p95", p95, "ms", goal, "lower"))
            p99_floor = PUBLIC_P99_MS if group == "public" else None
            figures.append((f"{group} p99", percentile(groups[group], 99), "ms", p99_floor, "lower"))
    figures.append(("errors", errors["public"] + errors["signed_in"] + errors["login"], "count", 0, "lower"))
    figures.append(("throughput", total / measured, "requests/s", MIN_THROUGHPUT, "higher"))
    if any(errors.values()):
        print(f"server log: {work / 'gunicorn.log'}, access log: {work / 'access.log'}")
    for name, value, unit, floor, better in figures:
        result(name, value, unit, floor, better)


if __name__ == "__main__":
    main()
