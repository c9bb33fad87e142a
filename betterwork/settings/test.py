"""pytest: fast hashing, mail in memory, and no global eager Celery (tests call tasks explicitly)."""

import os

from .base import *
from .base import VAR_DIR, env

SECRET_KEY = env.str("SECRET_KEY", default="test-only-" + "x" * 50)
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["default"] = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "10000/min", "user": "10000/min", "token": "10000/min"}
LOGGING["root"]["level"] = "WARNING"

# A file, not memory, so that a real Celery worker process can share the test database (worker tests).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-betterwork-{os.getpid()}.sqlite3")}  # one per run
WHITENOISE_AUTOREFRESH = True
# Tests publish to a broker folder of their own, never to the one a developer's `make run` worker reads.
if not REDIS_URL:
    for _key in ("data_folder_in", "data_folder_out"):
        CELERY_BROKER_TRANSPORT_OPTIONS[_key] = str(VAR_DIR / "celery-test" / "queue")
    CELERY_BROKER_TRANSPORT_OPTIONS["control_folder"] = str(VAR_DIR / "celery-test" / "control")
