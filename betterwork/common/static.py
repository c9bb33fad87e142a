"""Headers for static files, which WhiteNoise serves before the security middleware runs."""

from typing import Any

STATIC_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; frame-ancestors 'none'"


def static_headers(headers: Any, path: str, url: str) -> None:
    headers["Content-Security-Policy"] = STATIC_CSP
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
