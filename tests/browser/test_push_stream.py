"""The page on the live event stream (stream.js), in a real browser, with the events process (uvicorn on
config.asgi) running beside pytest's live server: a session's change arrives over the stream while polling is
slowed to a minute; with the stream blocked the page polls as before, and the blocked request is the only error."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chargingpoints.models import ChargingPoint
from chargingpoints.services import charging_point_mark_offline
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus
from tests.browser.pages import card, central_polled, sign_in
from tests.browser.test_dashboard_page import network  # noqa: F401 (fixture)
from tests.events_server import EventsServer
from tests.factories import ChargingSessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVENTS = re.compile(r"/drivers/[^/]+/events$")


@pytest.fixture(scope="module")
def events_server():
    server = EventsServer().start()
    yield server
    server.stop()


@pytest.fixture
def push(settings, live_server, events_server, published):
    """The page opens its stream on the events server: the page's host name (as `make run`), its port."""
    settings.DASHBOARD_PUSH = True
    settings.EVENTS_URL = f"//{{host}}:{events_server.port}"
    settings.CORS_ALLOWED_ORIGINS = [live_server.url]
    return events_server


class Console:
    """Console errors with the URL they are about (a failed load names it only in its location)."""

    def __init__(self, page):
        self.errors: list[tuple[str, str]] = []
        page.on(
            "console", lambda m: self.errors.append((m.text, m.location.get("url", ""))) if m.type == "error" else None
        )
        page.on("pageerror", lambda exc: self.errors.append((f"pageerror: {exc}", "")))


def open_session(driver) -> ChargingSession:
    return ChargingSessionFactory(
        driver=driver, charging_point=ChargingPoint.objects.get(cp_id="CP-001"), status=SessionStatus.PENDING
    )


def test_a_session_change_arrives_over_the_stream(open_page, network, push, settings):  # noqa: F811
    central_polled()
    page, problems = open_page("desktop")
    settings.DASHBOARD_REFRESH_SECONDS = 60.0  # a change seen within seconds did not come from the poll loop
    streams = []
    page.on("response", lambda r: streams.append(r.status) if EVENTS.search(r.url) else None)
    sign_in(page, "alice")
    for _ in range(50):  # playwright delivers the page's events while it waits
        if streams:
            break
        page.wait_for_timeout(100)
    assert streams == [200]
    expect(page.locator("#connection-text")).to_have_text("Live: changes arrive as they happen")
    session = open_session(network["alice"])
    page.wait_for_timeout(1000)  # the poll the stream's opening asked for is over
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/sessions/current" in r.url else None)

    session_transition(session=session, to_status=SessionStatus.APPROVED, source=SessionTransition.Source.CENTRAL)
    expect(page.locator("#session-panel")).to_have_attribute("data-status", "APPROVED", timeout=5_000)
    ChargingSession.objects.filter(pk=session.pk).update(energy_kwh="1.5000", cost_eur="0.6300")
    session_transition(session=session, to_status=SessionStatus.CHARGING, source=SessionTransition.Source.CENTRAL)
    expect(page.locator("#session-energy")).to_have_text("1.50", timeout=5_000)
    expect(page.locator("#session-cost")).to_have_text("€0.63")
    # A point's status change patches its card.
    charging_point_mark_offline(ChargingPoint.objects.get(cp_id="CP-002"), now=timezone.now())
    expect(card(page, "CP-002")).to_have_attribute("data-status", "OFFLINE", timeout=5_000)

    # What changed was drawn from the events themselves: the session panel did not poll for it (a SESSION
    # notification's toast may read the session once, to tell the same story as the dock).
    assert len(polls) <= 2, polls
    problems.assert_none()


def test_with_the_stream_blocked_the_page_polls_as_before(open_page, network, push):  # noqa: F811
    central_polled()
    page, _ = open_page("desktop")
    console = Console(page)
    blocked = []
    page.route(EVENTS, lambda route: (blocked.append(route.request.url), route.abort()))
    sign_in(page, "alice")
    session = open_session(network["alice"])

    session_transition(session=session, to_status=SessionStatus.APPROVED, source=SessionTransition.Source.CENTRAL)
    expect(page.locator("#session-panel")).to_have_attribute("data-status", "APPROVED", timeout=5_000)
    ChargingSession.objects.filter(pk=session.pk).update(energy_kwh="2.0000", cost_eur="0.8000")
    session_transition(session=session, to_status=SessionStatus.CHARGING, source=SessionTransition.Source.CENTRAL)
    expect(page.locator("#session-energy")).to_have_text("2.00", timeout=5_000)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(page.locator("#connection-text")).to_have_text(re.compile(r"^Live: refreshing every [\d.]+ s$"))

    assert blocked and all(EVENTS.search(url) for url in blocked)
    # The only errors: the blocked stream's own failed loads, allowed here on purpose.
    unexpected = [(text, url) for text, url in console.errors if not EVENTS.search(url)]
    assert unexpected == []
