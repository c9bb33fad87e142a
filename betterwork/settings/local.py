"""`make run`: DEBUG on, an SQLite file and the embedded Celery transport unless the environment says otherwise."""

from django.core.management.utils import get_random_secret_key

from .base import *
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)


def _local_secret_key() -> str:
    """A random key kept under var/ so sessions survive restarts; never used in production."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
WHITENOISE_AUTOREFRESH = True  # serve static files straight from the apps while developing
