"""Gates that need no database: lint and format, migrations in step with models, the deploy checklist."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False
    )


def test_ruff_lint_is_clean():
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_apps_keep_their_layers():
    """reporting → advisory | training → assessments → factories; betterwork.common knows no domain app."""
    result = _run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_models_and_migrations_agree():
    result = _run(
        sys.executable,
        "manage.py",
        "makemigrations",
        "--check",
        "--dry-run",
        env={"DJANGO_SETTINGS_MODULE": "betterwork.settings.test"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_pass_the_deploy_checklist():
    env = {
        "DJANGO_SETTINGS_MODULE": "betterwork.settings.production",
        "SECRET_KEY": "a-long-random-production-secret-" + "k3y" * 12,
        "ALLOWED_HOSTS": "betterwork.example.org",
    }
    result = _run(sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DJANGO_SETTINGS_MODULE": "betterwork.settings.production", "ALLOWED_HOSTS": "x.example.org"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
