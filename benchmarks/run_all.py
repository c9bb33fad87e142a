"""Runs every benchmark in benchmarks/ and writes benchmarks/results.json (issue 9 "`make bench`").

    .venv/bin/python benchmarks/run_all.py [--full] [--only sweep,pdf] [--strict]

With `--only`, the other benchmarks' figures already in results.json are kept.

Every `benchmarks/*.py` but this file is run as its own process (each builds its own throwaway database), with
quick sizes by default and full sizes with `--full`. The sizes come from the script itself: module-level literals
`BENCH_QUICK = [...]` and `BENCH_FULL = [...]` (command-line arguments; read with `ast`, never imported), else
from QUICK/FULL below, else no arguments.

The convention: a benchmark prints, besides whatever it prints for people, one line per figure

    BENCH_RESULT {"name": "first sweep, 20000 cycles", "value": 12.3, "unit": "s", "floor": 30, "better": "lower"}

`name`, `value`, `unit` are required; `floor` is the budget the figure must meet (null: none yet) and `better`
says which side of it passes ("lower", the default: times, memory, queries, errors; "higher": throughput).
A script that prints no such line gets one figure, its wall time, and is named in the summary.

benchmarks/results.json: a list of {"benchmark", "name", "value", "unit", "floor", "better", "ok"} (`ok`: the
floor is met; null without a floor). benchmarks/results.md: the same as a Markdown table headed by the machine
and the date, to paste into the README. Exit status 1 when a benchmark failed to run (and with `--strict`, when a
floor is missed).

`load.py` needs PostgreSQL and Redis (the CI services mode): it runs when both answer on their default
loopback ports, else it is skipped with the reason.
"""

import argparse
import ast
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
PREFIX = "BENCH_RESULT "
# Sizes for scripts that do not declare BENCH_QUICK / BENCH_FULL themselves.
QUICK = {"load": ["--seconds", "20"]}
FULL = {"load": ["--seconds", "180"]}  # RELIABILITY.md §4: 50 users for 3 minutes
TIMEOUT = {"quick": 900, "full": 3600}


def declared(path: Path, name: str) -> list[str] | None:
    """A module-level `NAME = [...]` literal of the script, without importing it."""
    for node in ast.parse(path.read_text()).body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
            return [str(arg) for arg in ast.literal_eval(node.value)]
    return None


def arguments(path: Path, full: bool) -> list[str]:
    own = declared(path, "BENCH_FULL" if full else "BENCH_QUICK")
    if own is not None:
        return own
    return (FULL if full else QUICK).get(path.stem, [])


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2).close()
    except OSError:
        return False
    return True


def skip_reason(path: Path) -> str:
    if path.stem == "load":
        database = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
        if not database.startswith(("postgres://", "postgresql://")):
            return "needs PostgreSQL: DATABASE_URL is not a PostgreSQL URL"
        if not _answers(database, 5432):
            return "needs PostgreSQL on 127.0.0.1:5432 (CI services mode)"
        if not _answers(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2"), 6379):
            return "needs Redis on 127.0.0.1:6379 (CI services mode)"
    return ""


def _load_arguments() -> list[str]:
    """load.py takes its servers as options: derived from DATABASE_URL / REDIS_URL when they are set."""
    extra = []
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        parsed = urlparse(os.environ["DATABASE_URL"])
        extra += ["--database-url", parsed._replace(path="/betterwork_load").geturl()]
    if os.environ.get("REDIS_URL"):
        extra += ["--redis-url", urlparse(os.environ["REDIS_URL"])._replace(path="/2").geturl()]
    return extra


def run(path: Path, argv: list[str], timeout: int) -> tuple[list[dict], str, float]:
    """Runs one benchmark, echoing its output; returns its figures, an error ("" when it ran) and its time."""
    started = time.perf_counter()
    figures: list[dict] = []
    command = [PYTHON, str(path), *argv]
    print(f"\n=== {path.stem}: {' '.join(command[1:])}", flush=True)
    try:
        process = subprocess.Popen(  # noqa: S603 - our interpreter and our scripts
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
    except OSError as error:
        return [], str(error), 0.0

    def stop() -> None:  # SIGTERM first: load.py then stops its gunicorn
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()

    watchdog = threading.Timer(timeout, stop)  # also when the script hangs without printing
    watchdog.start()
    for line in process.stdout or ():
        print(f"  {line.rstrip()}", flush=True)
        if line.startswith(PREFIX):
            try:
                figure = json.loads(line[len(PREFIX) :])
                figures.append(
                    {"name": str(figure["name"]), "value": figure["value"], "unit": str(figure["unit"]),
                     "floor": figure.get("floor"), "better": figure.get("better", "lower")}
                )  # fmt: skip
            except (ValueError, KeyError, TypeError) as error:
                print(f"  (unreadable {PREFIX.strip()} line: {error})")
    code = process.wait()
    timed_out = watchdog.finished.is_set() and code != 0
    watchdog.cancel()
    elapsed = time.perf_counter() - started
    if timed_out:
        return figures, f"timed out after {timeout} s", elapsed
    return figures, (f"exit status {code}" if code else ""), elapsed


def verdict(figure: dict) -> bool | None:
    floor = figure.get("floor")
    if floor is None or not isinstance(figure["value"], int | float):
        return None
    return figure["value"] >= floor if figure.get("better") == "higher" else figure["value"] <= floor


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1_048_576:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at the end"
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}{load}")  # fmt: skip


def markdown(results: list[dict], mode: str, notes: list[str]) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Figures from `make bench` ({mode} sizes), {when}, on: {machine()}.", "",
             "| Benchmark | Figure | Value | Floor |", "|---|---|---|---|"]  # fmt: skip
    for figure in results:
        floor = (
            "" if figure["floor"] is None else ("≥ " if figure["better"] == "higher" else "≤ ") + str(figure["floor"])
        )
        mark = {True: " ✓", False: " ✗ missed", None: ""}[figure["ok"]]
        lines.append(f"| {figure['benchmark']} | {figure['name']} | {figure['value']} {figure['unit']} | "
                     f"{floor}{mark} |")  # fmt: skip
    lines += [""] + [f"- {note}" for note in notes]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="full sizes (slow) instead of quick ones")
    parser.add_argument("--only", default="", help="comma-separated benchmark names (e.g. sweep,pdf)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a floor is missed")
    parser.add_argument("--output", default=str(HERE / "results.json"))
    args = parser.parse_args()
    mode = "full" if args.full else "quick"

    scripts = sorted(p for p in HERE.glob("*.py") if p.name != "run_all.py" and not p.name.startswith("_"))
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        scripts = [p for p in scripts if p.stem in wanted]
    results: list[dict] = []
    failures: list[str] = []
    notes: list[str] = []
    for path in scripts:
        reason = skip_reason(path)
        if reason:
            print(f"\n=== {path.stem}: skipped ({reason})")
            notes.append(f"{path.stem}: skipped ({reason})")
            continue
        argv = arguments(path, args.full) + (_load_arguments() if path.stem == "load" else [])
        figures, error, elapsed = run(path, argv, TIMEOUT[mode])
        if error:
            failures.append(f"{path.stem}: {error}")
        if not figures and not error:
            figures = [{"name": "wall time (prints no BENCH_RESULT line)", "value": round(elapsed, 1), "unit": "s",
                        "floor": None, "better": "lower"}]  # fmt: skip
            notes.append(f"{path.stem}: prints no `BENCH_RESULT` line; only its wall time is recorded")
        for figure in figures:
            results.append({"benchmark": path.stem, **figure, "ok": verdict({**figure})})

    if args.only and Path(args.output).exists():  # keep the other benchmarks' latest figures
        ran = {path.stem for path in scripts}
        kept = [r for r in json.loads(Path(args.output).read_text()) if r.get("benchmark") not in ran]
        results = sorted(kept + results, key=lambda r: r["benchmark"])
    Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    Path(args.output).with_suffix(".md").write_text(markdown(results, mode, notes + failures))
    print(f"\n=== summary ({mode} sizes): {len(results)} figures → {args.output}")
    width = max((len(f"{r['benchmark']}: {r['name']}") for r in results), default=20)
    for figure in results:
        floor = "" if figure["floor"] is None else f"  floor {figure['floor']}"
        mark = {True: "  ok", False: "  MISSED", None: ""}[figure["ok"]]
        label = f"{figure['benchmark']}: {figure['name']}"
        print(f"{label:<{width}}  {figure['value']:>10} {figure['unit']:<12}{floor}{mark}")
    for line in notes + failures:
        print(line)
    missed = [r for r in results if r["ok"] is False]
    if failures or (args.strict and missed):
        sys.exit(1)


if __name__ == "__main__":
    main()
