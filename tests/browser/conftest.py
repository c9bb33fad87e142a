"""Browser journeys (issue 9 item 2, issue 10 "the browser journey runs in Arabic"): Playwright drives Debian's
Chromium (`/usr/bin/chromium`, installed by scripts/install-browser.sh; never `playwright install`) against
pytest-django's live server.

Every journey step:
- fails on a console error (CSP violations are reported there) or an uncaught page error;
- fails on a request that leaves the live server (it is aborted and recorded);
- checks `<html lang dir>` for the journey's language;
- saves a screenshot under var/test-artifacts/browser/<journey>-<lang>-<step>.png;
- runs axe-core (node_modules/axe-core, installed by the same script) and records the serious and critical
  violations; the tests at the end of test_journeys.py assert them page by page (a known one is a strict xfail).
"""

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings

from tests.builders import PASSWORD, totp_code

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("BROWSER_JOURNEYS_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "var" / "test-artifacts" / "browser"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
INSTALL_HINT = "run `bash scripts/install-browser.sh` (Debian's chromium and axe-core)"

try:
    from playwright.sync_api import Browser, Page, Route, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None


def skip_reason() -> str | None:
    """Why the journeys cannot run here, or None."""
    if sync_playwright is None:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: {INSTALL_HINT}"
    if not AXE.exists():
        return f"{AXE.relative_to(ROOT)} is missing: {INSTALL_HINT}"
    return None


# Accessibility results of every audited page, filled by the journeys, asserted at the end of test_journeys.py
# "<journey>-<step>-<lang>" → the serious and critical violations ([{"id", "impact", "help", "targets"}]).
AUDITS: dict[str, list[dict[str, Any]]] = {}
# How long each journey took (seconds), printed at the end of the session.
TIMINGS: dict[str, float] = {}
# How long each step's checks took (screenshot and axe), to find the slow pages.
STEP_TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="package")
def browser() -> Iterator["Browser"]:
    """One Chromium for the browser tests (package scope: the journeys share it, and it is gone before any other
    test runs); each journey gets its own context (cookies, storage).

    Playwright's sync API keeps an asyncio loop registered in the main thread while it runs; Django then refuses
    ORM calls from the test body and the database fixtures (SynchronousOnlyOperation) although nothing is async
    here. The guard is lifted only while this browser exists."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()
        (ARTIFACTS / "axe.json").write_text(json.dumps(AUDITS, indent=1, sort_keys=True), encoding="utf-8")
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


class Journey:
    """One user's path through the pages in one language, with the checks every step makes."""

    def __init__(self, browser: "Browser", base_url: str, name: str, lang: str) -> None:
        self.name, self.lang, self.base_url = name, lang, base_url.rstrip("/")
        self.origin = urlsplit(self.base_url)[:2]
        self.context = browser.new_context(base_url=self.base_url, viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.route("**/*", self._route)
        self.started = time.monotonic()

    # --- guards ---------------------------------------------------------------------------------

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _route(self, route: "Route") -> None:
        url = route.request.url
        if urlsplit(url)[:2] == self.origin or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.problems.append(f"request leaving the server from {self.page.url}: {url}")
            route.abort()

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)

    # --- navigation -------------------------------------------------------------------------------

    def goto(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None
        assert response.status < 400, f"{path} answered {response.status}"

    def submit(self, form: str) -> None:
        """Click the submit button of the form matched by the CSS selector `form` and wait for the next page."""
        with self.page.expect_navigation():
            self.page.locator(form).locator("button[type=submit]").first.click()

    def switch_language(self) -> None:
        """The header's switcher (a form posting to /i18n/setlang/), as a person would use it."""
        if self.lang == "en":
            return
        self.page.select_option("#language-select", self.lang)
        self.submit("form.language-switcher")

    def log_in(self, username: str, *, totp_secret: str | None = None) -> None:
        self.goto("/accounts/login/")
        self.switch_language()
        self.step("login")
        self.page.fill("main input[name=login]", username)
        self.page.fill("main input[name=password]", PASSWORD)
        self.submit("main form")
        if totp_secret is not None:
            assert urlsplit(self.page.url).path == "/accounts/2fa/authenticate/", self.page.url
            self.step("two-factor")
            self.page.fill("main input[name=code]", fresh_totp_code(totp_secret))
            self.submit("main form")
        assert "/accounts/login/" not in self.page.url, f"still on the login page: {self.text('main')}"
        assert "/2fa/" not in self.page.url, f"two-factor refused: {self.text('main')}"

    # --- checks -----------------------------------------------------------------------------------

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).first.inner_text()

    def message(self, kind: str = "success") -> str:
        messages = self.page.locator(f"ul.messages li.{kind}")
        assert messages.count() > 0, f"no {kind} message on {self.page.url}: {self.text()[:500]}"
        return messages.first.inner_text()

    def step(self, step: str) -> None:
        """Language and direction, a screenshot, an accessibility audit; console/CSP/network problems so far."""
        html = self.page.locator("html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == (
            self.lang,
            "rtl" if self.lang in ("ar", "ur") else "ltr",
        ), f"{self.name}/{step}: wrong language or direction on {self.page.url}"
        started = time.monotonic()
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.lang}-{step}.png"), full_page=True)
        AUDITS[f"{self.name}-{step}-{self.lang}"] = self.audit()
        STEP_TIMINGS[f"{self.name}-{self.lang}-{step}"] = round(time.monotonic() - started, 2)
        self.assert_clean()

    def audit(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the current page.

        axe is evaluated through the DevTools protocol (page.evaluate), which the page's CSP does not govern: the
        journey's own requests and scripts stay under the CSP the server sends."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(axe_source() + "\n;undefined")
        results = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                                targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
            }"""
        )
        return sorted(results, key=lambda v: v["id"])

    def close(self) -> None:
        TIMINGS[f"{self.name}-{self.lang}"] = round(time.monotonic() - self.started, 2)
        self.context.close()


_AXE_SOURCE: list[str] = []


def axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE.read_text(encoding="utf-8"))
    return _AXE_SOURCE[0]


def fresh_totp_code(secret: str) -> str:
    """The current code, waiting for the next period when this one is about to expire (the server allows none)."""
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 3:
        time.sleep(left + 0.2)
    return totp_code(secret)


@pytest.fixture
def axe_audits() -> dict[str, list[dict[str, Any]]]:
    """The accessibility results recorded so far in this session (see AUDITS)."""
    return AUDITS


@pytest.fixture
def journey(browser, live_server) -> Iterator[Any]:
    """`journey(name, lang)` opens a fresh browser context on the live server; all are closed after the test."""
    opened: list[Journey] = []

    def open_journey(name: str, lang: str) -> Journey:
        opened.append(Journey(browser, live_server.url, name, lang))
        return opened[-1]

    yield open_journey
    for one in opened:
        one.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if TIMINGS:
        terminalreporter.write_sep("-", "browser journeys (seconds)")
        for name, seconds in sorted(TIMINGS.items()):
            terminalreporter.write_line(f"{name}: {seconds}")
        slowest = sorted(STEP_TIMINGS.items(), key=lambda kv: -kv[1])[:5]
        terminalreporter.write_line("slowest checks (screenshot + axe): " + ", ".join(f"{k} {v}" for k, v in slowest))
        terminalreporter.write_line(f"screenshots: {ARTIFACTS}")
