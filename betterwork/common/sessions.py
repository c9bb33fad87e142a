"""Database sessions that ignore a malformed session cookie (a key Django never issues: it issues lowercase
letters and digits only). Without this, PostgreSQL refuses a cookie holding a NUL character with a
ValueError — a 500 for any visitor who sends one — instead of treating the visitor as signed out."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key) and key.isascii() and key.isalnum() and super()._validate_session_key(key)
