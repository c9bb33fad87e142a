"""docker-compose.yml cannot be run here (no Docker engine): check that it is valid and complete."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services_with_health_checks():
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "pdf-worker"):
        assert services[name]["healthcheck"]["test"], name


def test_django_services_share_one_image_and_wait_for_healthy_backends():
    services = _compose()["services"]
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["image"] == "betterwork:latest", name
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://"), name
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://"), name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["redis"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_compose_commands_match_the_project():
    services = _compose()["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "betterwork.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "betterwork", "worker"]
    assert services["pdf-worker"]["command"][:6] == ["celery", "-A", "betterwork", "worker", "-Q", "pdf"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "betterwork", "beat"]
    assert (ROOT / "Dockerfile").read_text().count("pip install .") == 1


def test_named_volumes_are_declared():
    compose = _compose()
    used = {
        volume.split(":")[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
        if not volume.startswith(("/", "."))
    }
    assert used == {"postgres-data", "redis-data", "beat-data"}
    assert used <= set(compose["volumes"])
