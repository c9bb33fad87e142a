"""Security checks (issue 9 §5). `production` reads the security settings that `betterwork.settings.production`
computes, in a subprocess (importing that module here would change the shared REST_FRAMEWORK and STORAGES
dictionaries of the running test settings), so that header and cookie tests apply exactly those values."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_KEYS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "X_FRAME_OPTIONS",
    "DEBUG",
)

_READ = """
import json, django
django.setup()
from django.conf import settings
out = {key: getattr(settings, key) for key in KEYS}
out["REST_FRAMEWORK"] = {
    k: settings.REST_FRAMEWORK.get(k) for k in ("DEFAULT_THROTTLE_CLASSES", "DEFAULT_THROTTLE_RATES")
}
print(json.dumps(out))
"""


@pytest.fixture(scope="session")
def production_values() -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "betterwork.settings.production",
        "SECRET_KEY": "security-test-" + "s3cr3t" * 10,
        "ALLOWED_HOSTS": "testserver,betterwork.example.org",
    }
    env.pop("DEBUG", None)
    env.pop("SECURE_SSL_REDIRECT", None)
    code = _READ.replace("KEYS", repr(PRODUCTION_KEYS))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def production(settings, production_values):
    """The test settings with production's security values (HSTS, Secure cookies, `__Host-` names...)."""
    for key in PRODUCTION_KEYS:
        setattr(settings, key, production_values[key])
    settings.SECURE_SSL_REDIRECT = False  # the test client speaks HTTP unless told `secure=True`
    return production_values
