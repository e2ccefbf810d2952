"""Headless Chromium (Debian's package) driven by playwright's sync API against pytest-django's live server.

`scripts/install_browser.sh` (run by `make test`) installs /usr/bin/chromium; where it cannot be installed
the browser tests skip with that reason. Every page records console errors and uncaught exceptions, and
the tests assert there were none.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(django_settings.BASE_DIR) / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Near CP-001 in Springfield (the default network), so the cards show real distances.
POSITION = {"latitude": 42.1100, "longitude": -72.5800}


@pytest.fixture(scope="module")
def chromium_browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}: run scripts/install_browser.sh (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # playwright's sync API keeps an asyncio loop in this thread, and Django refuses ORM calls when it
    # sees one; the tests' own ORM calls (and the database flush between tests) are plain sync code.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        expect.set_options(timeout=5_000)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()


class PageProblems:
    """Console errors and uncaught page exceptions seen by one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def assert_none(self, *, allow: tuple[str, ...] = ()):
        unexpected = [e for e in self.errors if not any(a in e for a in allow)]
        assert unexpected == [], "JavaScript errors in the page:\n" + "\n".join(unexpected)


@pytest.fixture
def open_page(chromium_browser, live_server, settings, kafka_broker):
    """Open a page in a fresh context: `open_page("desktop" | "phone")` → (page, problems).

    Requests made from the page go to the local Kafka-compatible broker like in `make run`.
    """
    settings.KAFKA_BOOTSTRAP_SERVERS = kafka_broker.bootstrap_servers
    settings.DASHBOARD_REFRESH_SECONDS = 0.5
    settings.NOTIFICATION_TOAST_SECONDS = 3.0
    contexts = []

    def _open(size: str = "desktop"):
        context = chromium_browser.new_context(
            base_url=live_server.url,
            viewport=DESKTOP if size == "desktop" else PHONE,
            device_scale_factor=1 if size == "desktop" else 2,
            is_mobile=size == "phone",
            has_touch=size == "phone",
            geolocation=POSITION,
            permissions=["geolocation"],
            locale="en-GB",
            timezone_id="UTC",
        )
        context.set_default_timeout(5_000)
        contexts.append(context)
        page = context.new_page()
        return page, PageProblems(page)

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _save(page, name: str, **kwargs):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled", **kwargs)

    return _save
