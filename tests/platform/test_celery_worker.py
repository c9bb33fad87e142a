"""A real Celery worker (and beat) process against the configured broker: kombu's filesystem transport
by default, Redis when REDIS_URL is set (CI's second run). They share the test database, so these
tests commit their data (transaction=True)."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from betterwork.common.models import Heartbeat
from betterwork.common.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def queue() -> str:
    """A queue of this test's own, so a developer's running worker cannot take its messages."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def celery(queue: str) -> Iterator:
    processes: list[subprocess.Popen] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "betterwork.settings.test",
        "DATABASE_URL": _database_url(),
        "BETTERWORK_VAR_DIR": str(settings.VAR_DIR),
        "CELERY_QUEUE": queue,
        "HEARTBEAT_SECONDS": "1",
        "MILESTONE_SWEEP_SECONDS": "1",
        "MILESTONE_SWEEP_BATCH": "2",  # many small transactions: a kill lands between and inside them
    }

    def start(*args: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "betterwork", *args]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for(predicate, *, timeout: float = 45.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _wait_ready(process: subprocess.Popen, *, timeout: float = 60.0) -> str:
    """Read the worker's log until it says it consumes ("... ready."): a message sent before its queue is
    declared could be dropped by the broker."""
    seen: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in iter(process.stdout.readline, b""):
            seen.append(line.decode(errors="replace"))
            if "ready." in seen[-1]:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    assert ready.wait(timeout), "".join(seen)
    return "".join(seen)


def test_a_worker_process_runs_a_task_sent_from_django(celery, queue, tmp_path):
    worker = celery("worker", "--pool=solo", "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h")
    _wait_ready(worker)
    heartbeat.apply_async(kwargs={"name": "from-test"}, queue=queue)

    ran = _wait_for(lambda: Heartbeat.objects.filter(name="from-test").exists())

    assert ran, "worker did not run the task in time"
    assert Heartbeat.objects.get(name="from-test").count == 1


def test_beat_schedules_the_heartbeat_and_a_worker_keeps_it(celery, queue, tmp_path):
    _wait_ready(celery("worker", "--pool=solo", "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h"))
    celery("beat", "--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule"))

    beating = _wait_for(lambda: Heartbeat.objects.filter(name="worker", count__gte=2).exists())

    assert beating, "beat and worker did not record two heartbeats"


def test_beat_and_a_worker_run_the_milestone_sweep_and_each_effect_happens_once(celery, queue, tmp_path):
    """R-CYC-8 with real processes: beat sends the sweep every second; reminders and closures happen once."""
    from datetime import timedelta

    from django.utils import timezone

    from factories.models import MilestoneNotice, ServiceCycle
    from factories.services.cycles import cycle_start
    from tests.builders import FactoryBuilder, staff

    staff("programme_manager", "KH")
    soon = cycle_start(factory_id=FactoryBuilder().pk, on=timezone.localdate() - timedelta(days=95))
    ended = cycle_start(factory_id=FactoryBuilder().pk, on=timezone.localdate() - timedelta(days=400))
    _wait_ready(celery("worker", "--pool=solo", "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h"))
    celery("beat", "--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule"))

    assert _wait_for(lambda: ServiceCycle.objects.filter(pk=ended.pk, status="closed").exists())
    assert _wait_for(lambda: MilestoneNotice.objects.filter(milestone__cycle=soon).exists())
    time.sleep(4)  # several more sweeps
    notices = list(MilestoneNotice.objects.values_list("milestone_id", "key"))
    assert len(notices) == len(set(notices))
    assert MilestoneNotice.objects.filter(milestone__cycle=soon, milestone__kind="initial_advisory_end").count() == 1


def test_a_worker_killed_in_the_middle_of_a_sweep_loses_and_doubles_nothing(celery, queue):
    """R-CYC-8 fault case: SIGKILL the worker while it sweeps in small batches; the next sweep finishes the work.
    Every due milestone ends with exactly one notice per kind, and every notice has its notifications."""
    from datetime import timedelta

    from django.utils import timezone

    from betterwork.common.models import Notification
    from factories.models import Milestone, MilestoneNotice
    from factories.services.cycles import cycle_start
    from factories.services.sweep import run_milestones as sweep
    from factories.tasks import run_milestones
    from tests.builders import FactoryBuilder, staff

    staff("programme_manager", "KH")
    today = timezone.localdate()
    for _ in range(120):  # three notices each
        cycle_start(factory_id=FactoryBuilder().pk, on=today - timedelta(days=170))
    worker = celery("worker", "--pool=solo", "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h")
    _wait_ready(worker)
    run_milestones.apply_async(queue=queue)
    deadline = time.monotonic() + 60
    while not MilestoneNotice.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    interrupted = MilestoneNotice.objects.count()

    sweep(as_of=today)

    overdue = Milestone.objects.filter(state="planned", due_date__lt=today).exclude(owner="system")
    notices = list(MilestoneNotice.objects.values_list("milestone_id", "key"))
    assert len(notices) == len(set(notices))  # nothing doubled
    assert set(overdue.values_list("pk", flat=True)) <= {m for m, key in notices if key == "overdue"}  # nothing lost
    managed = set(overdue.filter(owner="programme_manager").values_list("pk", flat=True))
    keys = set(Notification.objects.values_list("key", flat=True))
    assert managed
    assert all(f"milestone:{m}:overdue" in keys for m in managed)  # every notice has its notification
    assert interrupted < len(notices)  # the kill did interrupt the sweep (180 batches of 2 cannot finish in 5 ms)
