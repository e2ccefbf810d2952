"""The driver's dashboard in a real browser: sign in, filter, favorite, request, charge, stop, history,
toasts, alert banners, the stale/offline indications, on a desktop and a phone-sized screen.

The test plays central: it moves the session with `session_transition` (as the Kafka consumer would),
writes the live energy/cost figures on the session row, and answers the stop through the fake central
HTTP server.
"""

import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from chargingpoints.models import ChargingPoint, PointStatus
from drivers.models import Favorite
from notifications.models import BroadcastAlert, Notification
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus
from tests.browser.pages import card, central_polled, demo_network, sign_in
from tests.factories import BroadcastAlertFactory, ChargingSessionFactory, DriverFactory
from tests.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CENTRAL = SessionTransition.Source.CENTRAL


@pytest.fixture
def network(transactional_db):
    """The default 12-point network: CP-003 busy with a queue of one, CP-006 offline, the rest free; central's
    last poll is for each test to record (`central_polled`), so the stale indication can be tested."""
    drivers = demo_network(statuses={"CP-003": PointStatus.OCCUPIED, "CP-006": PointStatus.OFFLINE}, polled=False)
    ChargingSessionFactory(
        driver=DriverFactory(), charging_point=ChargingPoint.objects.get(cp_id="CP-003"), queue_position=1
    )
    return drivers


def set_live_figures(session: ChargingSession, energy: str, cost: str):
    """Central's telemetry as the poll stores it: energy and cost on the session row."""
    ChargingSession.objects.filter(pk=session.pk).update(energy_kwh=Decimal(energy), cost_eur=Decimal(cost))


def test_driver_charges_from_request_to_history(open_page, network, fake_central, screenshot):
    central_polled()
    page, problems = open_page("desktop")

    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "desktop-login")
    sign_in(page, "alice")

    # The list: status colours, power, connector, price, city, distance from the shared position.
    expect(page.locator("#points .card")).to_have_count(12)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(page.locator("#last-updated")).to_have_text(re.compile(r"\d\d:\d\d:\d\d"))
    cp1 = card(page, "CP-001")
    expect(cp1).to_have_attribute("data-status", "FREE")
    expect(cp1.locator(".card__status")).to_have_css("background-color", "rgb(19, 115, 51)")
    expect(card(page, "CP-003").locator(".card__status")).to_have_css("background-color", "rgb(179, 71, 0)")
    expect(card(page, "CP-006").locator(".card__status")).to_have_css("background-color", "rgb(179, 38, 30)")
    expect(cp1.locator(".card__power")).to_have_text("50 kW")
    expect(cp1.locator(".card__connector")).to_have_text("CCS")
    expect(cp1.locator(".card__price")).to_have_text("€0.42/kWh")
    expect(cp1.locator(".card__city")).to_have_text("Springfield")
    expect(cp1.locator(".card__amenities")).to_have_text("Amenities: WiFi · Restroom · Coffee Shop")
    expect(cp1.locator(".card__distance")).to_have_text(re.compile(r"^\d+\.\d km$"))
    expect(card(page, "CP-003").locator(".card__queue")).to_have_text(re.compile(r"^1 waiting · about \d+ min wait$"))
    expect(cp1.locator(".card__queue")).to_have_text("Free now")
    # A busy point can be queued for: the button says so.
    expect(card(page, "CP-003").locator(".card__request")).to_have_text("Join the queue")
    expect(card(page, "CP-003").locator(".card__request")).to_be_enabled()
    expect(card(page, "CP-006").locator(".card__reason")).to_have_text("This point is offline.")

    # Filters go into the URL and come back from it.
    page.get_by_label("City").select_option("Springfield")
    expect(page).to_have_url(re.compile(r"\?city=Springfield$"))
    expect(page.locator("#points .card")).to_have_count(3)
    page.get_by_label("Connector").select_option("CCS")
    expect(page).to_have_url(re.compile(r"\?city=Springfield&connector_type=CCS$"))
    expect(page.locator("#points .card")).to_have_count(2)
    page.reload()
    expect(page.get_by_label("City")).to_have_value("Springfield")
    expect(page.get_by_label("Connector")).to_have_value("CCS")
    expect(page.locator("#points .card")).to_have_count(2)
    page.get_by_label("Min. power (kW)").fill("100")
    expect(page).to_have_url(re.compile(r"min_power_kw=100"))
    expect(page.locator("#points .card")).to_have_count(1)
    page.get_by_label("Min. power (kW)").fill("")
    page.get_by_label("Connector").select_option("")
    expect(page).to_have_url(re.compile(r"\?city=Springfield$"))
    expect(page.locator("#points .card")).to_have_count(3)

    # A favorite, toggled from the keyboard: the star turns gold and the row exists.
    star = card(page, "CP-002").locator(".star")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.focus()
    page.keyboard.press("Enter")
    expect(star).to_have_attribute("aria-pressed", "true")
    expect(star).to_have_css("color", "rgb(245, 180, 0)")
    wait_for(
        lambda: Favorite.objects.filter(driver=network["alice"], charging_point__cp_id="CP-002").exists(),
        5.0,
        interval=0.05,
    )
    page.get_by_label("Favorites only").check()
    expect(page).to_have_url(re.compile(r"favorites_only=true"))
    expect(page.locator("#points .card")).to_have_count(1)
    page.get_by_label("Favorites only").uncheck()
    expect(page.locator("#points .card")).to_have_count(3)
    screenshot(page, "desktop-dashboard")

    # One click requests a charge; every other point's button then explains why it is disabled.
    card(page, "CP-001").get_by_role("button", name="Request charge").click()
    panel = page.locator("#session-panel")
    expect(panel).to_have_attribute("data-status", "PENDING")
    session = wait_for(lambda: ChargingSession.objects.filter(driver=network["alice"]).first(), 5.0, interval=0.05)
    assert (session.status, session.charging_point.cp_id, session.vehicle_id) == ("PENDING", "CP-001", "vehicle-1")
    expect(page.locator("#session-point")).to_have_text("CP-001 · Downtown Fast Charger")
    expect(page.locator("#session-cancel")).to_be_visible()
    expect(page.locator("#session-stop")).to_be_hidden()
    expect(card(page, "CP-002").locator(".card__request")).to_be_disabled()
    expect(card(page, "CP-002").locator(".card__reason")).to_have_text(
        "You already have a session at Downtown Fast Charger: one at a time."
    )

    # Central approves and starts the charge; the energy rises live, a toast says so.
    session_transition(
        session=session, to_status=SessionStatus.APPROVED, source=CENTRAL, central_session_id="sess-web-001"
    )
    expect(panel).to_have_attribute("data-status", "APPROVED")
    expect(page.locator("#session-stop")).to_be_visible()
    expect(page.locator("#session-cancel")).to_be_visible()
    session_transition(session=session, to_status=SessionStatus.CHARGING, source=CENTRAL)
    ChargingPoint.objects.filter(cp_id="CP-001").update(status=PointStatus.OCCUPIED)
    set_live_figures(session, "1.5", "0.63")
    central_polled()
    expect(panel).to_have_attribute("data-status", "CHARGING")
    expect(page.locator("#session-pulse")).to_be_visible()
    expect(page.locator("#session-cancel")).to_be_hidden()
    expect(page.locator("#session-energy")).to_have_text("1.50")
    expect(page.locator("#session-cost")).to_have_text("€0.63")
    expect(page.locator("#session-elapsed")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(page.locator("#toasts .toast", has_text="Charging started at CP-001")).to_be_visible()
    set_live_figures(session, "3.25", "1.365")
    expect(page.locator("#session-energy")).to_have_text("3.25")
    # Rounded half-up to cents, as central and the notifications round: 1.365 -> 1.37.
    expect(page.locator("#session-cost")).to_have_text("€1.37")
    expect(card(page, "CP-001")).to_have_attribute("data-status", "OCCUPIED")
    expect(card(page, "CP-001").locator(".card__reason")).to_have_text("You are charging at this point.")

    # An operator's broadcast alert shows up as a banner coloured by its severity.
    BroadcastAlertFactory(
        title="Scheduled maintenance",
        message="CP-002 will be offline from 2am to 4am.",
        severity=BroadcastAlert.Severity.WARN,
    )
    banner = page.locator("#alerts .alert", has_text="Scheduled maintenance")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-severity", "WARN")
    expect(banner).to_have_css("background-color", "rgb(255, 244, 214)")
    screenshot(page, "desktop-charging")

    # Stop asks for confirmation first; keeping the charge changes nothing.
    page.locator("#session-stop").click()
    dialog = page.get_by_role("dialog", name="Stop charging?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Keep charging").click()
    expect(dialog).to_be_hidden()
    assert fake_central.stop_calls == []
    page.locator("#session-stop").click()
    dialog.get_by_role("button", name="Stop charging").click()
    expect(panel).to_have_attribute("data-status", "NONE")
    assert [(c["cp_id"], c["session_id"]) for c in fake_central.stop_calls] == [("CP-001", "sess-web-001")]
    session.refresh_from_db()
    assert session.status == SessionStatus.STOPPED

    # The session is in the history with its figures and receipt link; a toast reports the stop.
    row = page.locator('#history li[data-session-id="sess-web-001"]')
    expect(row).to_be_visible()
    expect(row.locator(".badge")).to_have_text("Stopped")
    expect(row.locator(".history__point")).to_have_text("Downtown Fast Charger")
    expect(row).to_contain_text("3.25 kWh")
    expect(row).to_contain_text("€1.37")
    expect(row.get_by_role("link", name="Receipt for session sess-web-001")).to_have_attribute(
        "href", "/receipts/sess-web-001.pdf"
    )
    # The link opens the session's PDF receipt, with the page's own sign-in.
    with page.context.expect_page() as opened:
        row.get_by_role("link", name="Receipt for session sess-web-001").click(modifiers=["Control"])
    receipt = page.context.request.get("/receipts/sess-web-001.pdf")
    assert (receipt.status, receipt.headers["content-type"]) == (200, "application/pdf")
    assert receipt.body().startswith(b"%PDF")
    opened.value.close()
    expect(page.locator("#toasts .toast", has_text="Charging stopped at CP-001")).to_be_visible()
    expect(card(page, "CP-002").locator(".card__request")).to_be_enabled()
    screenshot(page, "desktop-history")

    # Notifications: toasts leave after NOTIFICATION_TOAST_SECONDS, the list keeps them until read.
    expect(page.locator("#toasts .toast")).to_have_count(0, timeout=6_000)
    unread = Notification.objects.filter(driver=network["alice"], read=False).count()
    assert unread >= 3
    expect(page.locator("#unread-count")).to_have_text(str(unread))
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#unread-count")).to_have_text("0")
    wait_for(lambda: not Notification.objects.filter(driver=network["alice"], read=False).exists(), 5.0, interval=0.05)

    # Signing out ends the session: the dashboard sends the visitor back to log in.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    problems.assert_none()


def test_phone_sized_screen_cancel_then_charge(open_page, network, screenshot):
    central_polled()
    page, problems = open_page("phone")
    sign_in(page, "bob")
    expect(page.locator("#points .card")).to_have_count(12)
    # One column of cards that fit the screen: nothing scrolls sideways.
    expect(card(page, "CP-001").locator(".card__price")).to_have_text("€0.42/kWh")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "phone-dashboard")

    # Cancel while PENDING.
    card(page, "CP-005").get_by_role("button", name="Request charge").click()
    expect(page.locator("#session-panel")).to_have_attribute("data-status", "PENDING")
    page.get_by_role("button", name="Cancel request").click()
    expect(page.locator("#session-panel")).to_have_attribute("data-status", "NONE")
    cancelled = ChargingSession.objects.get(driver=network["bob"])
    assert cancelled.status == SessionStatus.CANCELLED
    expect(page.locator(f'#history li[data-session-id="{cancelled.session_id}"] .badge')).to_have_text("Cancelled")

    # Request again; central approves and charging starts.
    card(page, "CP-005").get_by_role("button", name="Request charge").click()
    expect(page.locator("#session-panel")).to_have_attribute("data-status", "PENDING")
    session = ChargingSession.objects.get(driver=network["bob"], status=SessionStatus.PENDING)
    session_transition(
        session=session, to_status=SessionStatus.APPROVED, source=CENTRAL, central_session_id="sess-phone-001"
    )
    session_transition(session=session, to_status=SessionStatus.CHARGING, source=CENTRAL)
    ChargingPoint.objects.filter(cp_id="CP-005").update(status=PointStatus.OCCUPIED)
    set_live_figures(session, "7.125", "3.705")
    BroadcastAlertFactory(
        title="Grid outage in Boston",
        message="Expect slower charging this afternoon.",
        severity=BroadcastAlert.Severity.CRITICAL,
    )
    central_polled()
    expect(page.locator("#session-panel")).to_have_attribute("data-status", "CHARGING")
    expect(page.locator("#session-energy")).to_have_text("7.13")
    banner = page.locator('#alerts .alert[data-severity="CRITICAL"]')
    expect(banner).to_be_visible()
    expect(banner).to_have_css("background-color", "rgb(179, 38, 30)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "phone-charging")
    problems.assert_none()


def test_stale_and_offline_are_shown_and_recover(open_page, network, screenshot):
    # Central never polled successfully: the page says the data may be out of date.
    page, problems = open_page("desktop")
    sign_in(page, "alice")
    connection = page.locator("#connection")
    expect(connection).to_have_attribute("data-state", "stale")
    expect(page.locator("#connection-text")).to_contain_text("Central controller unreachable")

    central_polled()
    expect(connection).to_have_attribute("data-state", "live")
    updated = page.locator("#last-updated").text_content()

    # The dashboard server itself stops answering: an unmissable offline line; the old data stays.
    page.route(re.compile(r"/(charging-points|drivers|sync-status)"), lambda route: route.abort())
    expect(connection).to_have_attribute("data-state", "offline")
    expect(page.locator("#connection-text")).to_contain_text("Offline: cannot reach the dashboard server")
    expect(page.locator("#points .card")).to_have_count(12)
    time.sleep(1.1)
    assert page.locator("#last-updated").text_content() != "never"
    screenshot(page, "desktop-offline")

    page.unroute(re.compile(r"/(charging-points|drivers|sync-status)"))
    central_polled()
    expect(connection).to_have_attribute("data-state", "live")
    assert page.locator("#last-updated").text_content() >= updated
    problems.assert_none(allow=("net::ERR_FAILED",))


def test_stop_refused_by_central_shows_why_and_keeps_charging(open_page, network, fake_central):
    central_polled()
    session = ChargingSessionFactory(
        driver=network["alice"], charging_point=ChargingPoint.objects.get(cp_id="CP-002"), session_id="sess-web-002"
    )
    session_transition(session=session, to_status=SessionStatus.CHARGING, source=CENTRAL)
    set_live_figures(session, "0.5", "0.275")
    fake_central.stop_status = 500
    page, problems = open_page("desktop")
    sign_in(page, "alice")
    expect(page.locator("#session-panel")).to_have_attribute("data-status", "CHARGING")

    page.get_by_role("button", name="Stop charging").click()
    page.get_by_role("dialog").get_by_role("button", name="Stop charging").click()
    expect(page.locator("#session-error")).to_contain_text("Central answered 500")
    expect(page.locator("#session-panel")).to_have_attribute("data-status", "CHARGING")
    session.refresh_from_db()
    assert session.status == SessionStatus.CHARGING

    # Central is back: the second attempt stops it.
    fake_central.stop_status = 200
    page.get_by_role("button", name="Stop charging").click()
    page.get_by_role("dialog").get_by_role("button", name="Stop charging").click()
    expect(page.locator("#session-panel")).to_have_attribute("data-status", "NONE")
    expect(page.locator("#session-error")).to_be_hidden()
    session.refresh_from_db()
    assert session.status == SessionStatus.STOPPED
    assert len(fake_central.stop_calls) == 2
    problems.assert_none(allow=("status of 502",))


def test_a_server_that_stops_answering_is_shown_offline_and_polling_resumes(open_page, network):
    # A hung server (accepts, never answers) must not freeze the refresh loop: requests time out.
    central_polled()
    page, problems = open_page("desktop")
    sign_in(page, "alice")
    connection = page.locator("#connection")
    expect(connection).to_have_attribute("data-state", "live")

    hung = re.compile(r"/(charging-points|drivers|sync-status)")
    page.route(hung, lambda route: None)  # never fulfilled: the request hangs
    expect(connection).to_have_attribute("data-state", "offline", timeout=15_000)

    page.unroute(hung)
    central_polled()
    expect(connection).to_have_attribute("data-state", "live", timeout=15_000)
    problems.assert_none()


def test_a_bookmarked_url_with_bad_filter_values_still_lists_the_points(open_page, network):
    # A hand-edited or stale bookmark must not leave the list empty forever (every poll answered 400).
    central_polled()
    page, problems = open_page("desktop")
    sign_in(page, "alice")
    page.goto("/?min_power_kw=lots&connector_type=Tesla&city=Springfield")
    expect(page.locator("#points .card")).not_to_have_count(0)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    problems.assert_none(allow=("status of 400",))


def test_driver_joins_the_queue_of_a_busy_point_sees_place_and_wait_then_leaves(open_page, network):
    central_polled()
    page, problems = open_page("desktop")
    sign_in(page, "alice")

    card(page, "CP-003").get_by_role("button", name="Join the queue").click()
    panel = page.locator("#session-panel")
    expect(panel).to_have_attribute("data-status", "PENDING")
    queued = wait_for(lambda: ChargingSession.objects.filter(driver=network["alice"]).first(), 5.0, interval=0.05)
    assert (queued.status, queued.queue_position) == ("PENDING", 2)
    expect(page.locator("#session-queue")).to_have_text(re.compile(r"^#2 · about \d+ min$"))
    expect(page.locator("#session-note")).to_have_text(re.compile(r"^In the queue"))
    expect(card(page, "CP-003").locator(".card__queue")).to_have_text(re.compile(r"^2 waiting"))
    expect(page.locator("#toasts .toast", has_text="You're #2 in the queue at CP-003")).to_be_visible()

    # Leaving the queue is the cancel.
    page.get_by_role("button", name="Cancel request").click()
    expect(panel).to_have_attribute("data-status", "NONE")
    assert ChargingSession.objects.get(pk=queued.pk).status == SessionStatus.CANCELLED
    expect(card(page, "CP-003").locator(".card__queue")).to_have_text(re.compile(r"^1 waiting"))
    problems.assert_none()


def test_the_cards_come_from_one_list_request_without_a_request_per_card(open_page, network):
    central_polled()
    page, problems = open_page("desktop")
    point_requests: list[str] = []
    page.on(
        "request", lambda request: point_requests.append(request.url) if "/charging-points" in request.url else None
    )

    sign_in(page, "alice")
    expect(page.locator("#points .card")).to_have_count(12)
    expect(card(page, "CP-001").locator(".card__price")).to_have_text("€0.42/kWh")
    expect(card(page, "CP-001").locator(".card__amenities")).to_have_text("Amenities: WiFi · Restroom · Coffee Shop")
    # Prices stay through the next refreshes (every 0.5 s here), still with no detail requests.
    for _ in range(50):
        if len(point_requests) >= 3:
            break
        page.wait_for_timeout(100)

    assert [url for url in point_requests if "/charging-points/" in url] == []
    # Besides the city filter's one unfiltered read at start, every list read carries the details.
    # (The map's reads of its view, `bbox=…`, draw markers only and carry no details.)
    lists = [url for url in point_requests if "?" in url and "bbox=" not in url]
    assert len(lists) >= 2 and all("include=details" in url for url in lists), point_requests
    expect(card(page, "CP-001").locator(".card__price")).to_have_text("€0.42/kWh")
    problems.assert_none()
