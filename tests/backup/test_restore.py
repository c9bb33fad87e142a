"""Issue 9 §6: a backup made by scripts/backup.sh, restored by scripts/restore.sh into a fresh database (SQLite:
a new file; PostgreSQL, when the tests run on it: a new database on the same server) and a fresh media folder,
holds every row of every table and every uploaded file, byte for byte.

The data is committed (transaction=True) so that the scripts, separate processes, see it; uploaded files go to a
real folder (the test settings keep files in memory)."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from advisory.models import ImprovementPlanItem
from assessments.models import Assessment, Evidence
from assessments.services.fieldwork import evidence_add, findings_save
from assessments.services.questions import questions_of
from tests.assessments.builders import assessor_of, in_progress, planned_assessment, published
from tests.builders import FactoryBuilder, country, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PNG = png_bytes((200, 30, 30), (16, 16))
PDF = b"%PDF-1.4\n" + os.urandom(4096)


@pytest.fixture
def media(tmp_path, settings):
    folder = tmp_path / "media"
    settings.MEDIA_ROOT = str(folder)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(folder)}}}  # fmt: skip
    return folder


def _build_programme() -> None:
    """Factories, a planned assessment, one in progress with evidence files, a published one (its findings
    become improvement-plan items)."""
    FactoryBuilder.create_batch(3, country=country("KH"))
    planned_assessment("KH")
    published("KH")
    assessment = in_progress("KH")
    assessor = assessor_of(assessment)
    asked = list(questions_of(assessment)[:3])
    answers = [{"question": q.code, "result": "non_compliant", "notes": "Seen."} for q in asked]
    findings_save(assessment_id=assessment.pk, actor=assessor, answers=answers)
    for n, question in enumerate(asked):
        for name, content in ((f"exit-{n}.png", PNG + bytes([n])), (f"register-{n}.pdf", PDF + bytes([n]))):
            evidence_add(assessment_id=assessment.pk, actor=assessor, question=question.code,
                         upload=SimpleUploadedFile(name, content))  # fmt: skip


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names(include_views=False))


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names from introspection
        counts[table] = cursor.fetchone()[0]
    return counts


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}  # fmt: skip


def _run(script: str, argument: Path, env: dict) -> subprocess.CompletedProcess:
    command = ["bash", str(ROOT / "scripts" / script), str(argument)]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=False,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _postgres_url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_postgres():
    """A new, empty database on the test server; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restored_counts_postgres(name: str, tables: list[str]) -> dict[str, int]:
    import psycopg2

    s = connection.settings_dict
    restored = psycopg2.connect(dbname=name, user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"])
    try:
        with restored.cursor() as cursor:
            return _counts(cursor, tables)
    finally:
        restored.close()


def test_a_backup_restores_every_row_and_every_file(media, tmp_path, request):
    _build_programme()
    assert Evidence.objects.count() == 6
    assert Assessment.objects.filter(status="planned").exists()
    assert ImprovementPlanItem.objects.exists()
    tables = _tables()
    with connection.cursor() as cursor:
        before = _counts(cursor, tables)
    files = _files(media)
    assert len(files) == 6
    assert {e.file.name for e in Evidence.objects.all()} == set(files)

    backup, restored_media = tmp_path / "backup", tmp_path / "media-restored"
    postgres = connection.vendor == "postgresql"
    if postgres:
        if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
            pytest.skip("pg_dump / pg_restore are not installed (apt-get install postgresql-client)")
        source_url = _postgres_url(connection.settings_dict["NAME"])
    else:
        source_url = f"sqlite:///{connection.settings_dict['NAME']}"
    _run("backup.sh", backup, {"DATABASE_URL": source_url, "MEDIA_ROOT": str(media)})
    assert {p.name for p in backup.iterdir()} >= {"media.tar.gz", "MANIFEST", "SHA256SUMS"}

    if postgres:
        name = request.getfixturevalue("fresh_postgres")
        _run("restore.sh", backup, {"DATABASE_URL": _postgres_url(name), "MEDIA_ROOT": str(restored_media)})
        after = _restored_counts_postgres(name, tables)
    else:
        target = tmp_path / "restored" / "betterwork.sqlite3"
        _run("restore.sh", backup, {"DATABASE_URL": f"sqlite:///{target}", "MEDIA_ROOT": str(restored_media)})
        with sqlite3.connect(target) as restored:
            after = _counts(restored.cursor(), tables)

    assert after == before
    assert _files(restored_media) == files


def test_restore_refuses_a_tampered_backup_and_a_used_target(media, tmp_path):
    """Checksums are verified before anything is written; an existing SQLite file or a non-empty media folder
    is never overwritten."""
    if connection.vendor != "sqlite":
        pytest.skip("the refusal paths are the same scripts' code; exercised on SQLite")
    FactoryBuilder(country=country("KH"))
    backup = tmp_path / "backup"
    _run("backup.sh", backup, {"DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
                               "MEDIA_ROOT": str(media)})  # fmt: skip
    script = ["bash", str(ROOT / "scripts" / "restore.sh"), str(backup)]

    def restore(target: Path, folder: Path) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{target}", "MEDIA_ROOT": str(folder)}
        return subprocess.run(script, env=env, capture_output=True, text=True, check=False, timeout=120)

    existing = tmp_path / "existing.sqlite3"
    existing.write_bytes(b"keep me")
    refused = restore(existing, tmp_path / "m1")
    assert refused.returncode != 0
    assert existing.read_bytes() == b"keep me"

    used = tmp_path / "m2"
    used.mkdir()
    (used / "keep.txt").write_text("keep me")
    assert restore(tmp_path / "new.sqlite3", used).returncode != 0
    assert not (tmp_path / "new.sqlite3").exists()

    with (backup / "media.tar.gz").open("ab") as archive:
        archive.write(b"tampered")
    tampered = restore(tmp_path / "other.sqlite3", tmp_path / "m3")
    assert tampered.returncode != 0
    assert "checksums" in tampered.stderr
    assert not (tmp_path / "other.sqlite3").exists()
