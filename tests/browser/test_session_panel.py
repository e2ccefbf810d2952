"""The live session always in view (issue 13): the session dock through PENDING → APPROVED → CHARGING → summary on a
desktop and a phone, without moving the list under the driver's eyes; toasts and dock telling the same story; the
summary card's figures (rounded half-up like central's), its receipt link, and dismissing it; central's refusals and
the history in plain words.

The test plays central as in test_dashboard_page.py: `session_transition` for its answers, the session row for its
telemetry, the fake central HTTP server for the stop.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chargingpoints.models import ChargingPoint
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus
from tests.browser.axe import assert_no_serious_violations
from tests.browser.pages import card, demo_network, sign_in
from tests.factories import ChargingSessionFactory
from tests.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CENTRAL = SessionTransition.Source.CENTRAL
# A card in the middle of the list, so the page is scrolled when the session starts.
POINT = "CP-004"
POINT_NAME = "Back Bay Garage"


@pytest.fixture
def network(transactional_db):
    """The default 12-point network, every point free, central polled just now; the demo drivers."""
    return demo_network()


def viewport(page, cp_id: str) -> tuple[float, float]:
    """Where the driver is looking: the page's scroll offset and the card's top edge on the screen."""
    return tuple(
        page.evaluate(
            "id => [window.scrollY, document.querySelector(`.card[data-cp-id='${id}']`).getBoundingClientRect().top]",
            cp_id,
        )
    )


def assert_same_view(page, before: tuple[float, float]):
    after = viewport(page, POINT)
    assert abs(after[0] - before[0]) <= 1 and abs(after[1] - before[1]) <= 1, f"the view moved: {before} -> {after}"


def assert_dock_in_view(page):
    box = page.locator("#session-dock").bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height + 1, box


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_session_stays_in_view_from_request_to_summary_without_moving_the_list(
    open_page, network, fake_central, screenshot, size
):
    page, problems = open_page(size)
    sign_in(page, "alice")
    dock = page.locator("#session-dock")
    panel = page.locator("#session-panel")
    expect(dock).to_be_hidden()

    # The driver has scrolled down the list to a point in its middle.
    target = card(page, POINT)
    expect(target).to_be_visible()
    page.evaluate(
        "id => { const el = document.querySelector(`.card[data-cp-id='${id}']`);"
        " window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 150); }",
        POINT,
    )
    page.wait_for_timeout(300)
    before = viewport(page, POINT)
    assert before[0] > 0, "the page should be scrolled for this test to mean anything"

    target.get_by_role("button", name="Request charge").click()
    expect(panel).to_have_attribute("data-status", "PENDING")
    expect(dock).to_be_visible()
    expect(page.locator("#session-status")).to_have_text("Waiting for approval")
    expect(page.locator("#session-point")).to_have_text(f"{POINT} · {POINT_NAME}")
    expect(page.locator('#session-steps li[data-step="PENDING"]')).to_have_attribute("aria-current", "step")
    assert_same_view(page, before)
    assert_dock_in_view(page)
    session = wait_for(lambda: ChargingSession.objects.filter(driver=network["alice"]).first(), 5.0, interval=0.05)

    # Central approves: the toast says so only once the dock says so too.
    session_transition(
        session=session, to_status=SessionStatus.APPROVED, source=CENTRAL, central_session_id="sess-dock-1"
    )
    toast = page.locator("#toasts .toast", has_text=f"Session approved for {POINT}")
    toast.wait_for()
    assert panel.get_attribute("data-status") == "APPROVED"
    expect(page.locator("#session-status")).to_have_text("Approved")
    expect(page.locator('#session-steps li[data-step="PENDING"]')).to_have_attribute("data-state", "done")
    expect(page.locator('#session-steps li[data-step="APPROVED"]')).to_have_attribute("aria-current", "step")
    expect(page.locator("#session-stop")).to_be_visible()
    assert_same_view(page, before)

    # Charging: live energy and cost, rounded half-up as central rounds (0.125 kWh -> 0.13).
    session_transition(session=session, to_status=SessionStatus.CHARGING, source=CENTRAL)
    ChargingSession.objects.filter(pk=session.pk).update(energy_kwh=Decimal("0.125"), cost_eur=Decimal("0.0375"))
    expect(panel).to_have_attribute("data-status", "CHARGING")
    expect(page.locator("#session-status")).to_have_text("Charging")
    expect(page.locator("#session-energy")).to_have_text("0.13")
    expect(page.locator("#session-cost")).to_have_text("€0.04")
    expect(page.locator("#session-elapsed")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(page.locator("#session-pulse")).to_be_visible()
    expect(page.locator('#session-steps li[data-state="done"]')).to_have_count(2)
    assert_same_view(page, before)
    assert_dock_in_view(page)
    screenshot(page, f"{size}-session-charging")
    assert_no_serious_violations(page, include="#session-dock", where=f"in the charging session dock ({size})")

    # Stop: the dock becomes the summary card, with the same figures as the stop notification.
    page.locator("#session-stop").click()
    page.get_by_role("dialog", name="Stop charging?").get_by_role("button", name="Stop charging").click()
    expect(panel).to_have_attribute("data-status", "NONE")
    summary = page.locator("#session-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#session-summary-title")).to_have_text("Charging stopped")
    # The Stop button is gone: keyboard focus lands on the summary, not on the page's top.
    expect(page.locator("#session-summary-title")).to_be_focused()
    expect(page.locator("#session-summary-energy")).to_have_text("0.13 kWh")
    expect(page.locator("#session-summary-cost")).to_have_text("€0.04")
    expect(page.locator("#session-summary-duration")).to_have_text(re.compile(r"^\d+ (s|min)$"))
    expect(page.locator("#toasts .toast", has_text=f"Charging stopped at {POINT}: 0.13 kWh, €0.04")).to_be_visible()
    receipt = page.get_by_role("link", name="Receipt for session sess-dock-1 (PDF)")
    expect(receipt).to_have_attribute("href", "/receipts/sess-dock-1.pdf")
    answer = page.context.request.get("/receipts/sess-dock-1.pdf")
    assert (answer.status, answer.headers["content-type"]) == (200, "application/pdf")
    assert_same_view(page, before)
    assert_dock_in_view(page)
    screenshot(page, f"{size}-session-summary")
    assert_no_serious_violations(page, include="#session-dock", where=f"on the summary card ({size})")

    # The summary stays through the refreshes until the driver dismisses it.
    page.wait_for_timeout(1200)
    expect(summary).to_be_visible()
    page.locator("#session-dock").get_by_role("button", name="Close").click()
    expect(dock).to_be_hidden()
    expect(page.locator("#session-title")).to_be_focused()
    assert_same_view(page, before)
    problems.assert_none()


def test_a_refusal_from_central_is_told_in_plain_words(open_page, network):
    page, problems = open_page("desktop")
    sign_in(page, "bob")
    card(page, "CP-001").get_by_role("button", name="Request charge").click()
    expect(page.locator("#session-panel")).to_have_attribute("data-status", "PENDING")
    session = wait_for(lambda: ChargingSession.objects.filter(driver=network["bob"]).first(), 5.0, interval=0.05)

    session_transition(
        session=session,
        to_status=SessionStatus.DENIED,
        source=CENTRAL,
        reason="Charging point not available (state: DISCONNECTED)",
    )
    expect(page.locator("#toasts .toast", has_text="Request for CP-001 denied: This point is offline")).to_be_visible()
    expect(page.locator("#session-summary-title")).to_have_text("Your request was not approved")
    expect(page.locator("#session-status")).to_have_text("Not approved")
    expect(page.locator("#session-summary-energy")).to_have_text("0.00 kWh")
    expect(page.locator("#session-summary-receipt")).to_be_hidden()
    expect(page.locator("#notifications")).not_to_contain_text("state:")
    expect(page.locator("#notifications .note__type").first).to_have_text("Session")
    problems.assert_none()


def test_history_rows_name_the_point_with_a_short_date_the_duration_and_the_status_in_words(open_page, network):
    start = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    ChargingSessionFactory(
        driver=network["alice"],
        charging_point=ChargingPoint.objects.get(cp_id="CP-011"),
        session_id="sess-hist-1",
        status=SessionStatus.COMPLETED,
        started_at=start,
        completed_at=start + timedelta(minutes=32),
        energy_kwh=Decimal("11.005"),
        cost_eur=Decimal("4.2925"),
    )
    page, problems = open_page("desktop")
    sign_in(page, "alice")
    # Filtered to another city: the row's point is not in the list, its name is fetched.
    page.goto("/?city=Springfield")
    row = page.locator('#history li[data-session-id="sess-hist-1"]')
    expect(row.locator(".history__point")).to_have_text("Alexanderplatz")
    expect(row.locator(".badge")).to_have_text("Completed")
    # en-GB, UTC: "29 Nov, 15:04 · 32 min" — the date once, then how long it took.
    expect(row.locator(".history__dates")).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]{2},? \d\d:\d\d · 32 min$"))
    expect(row.locator(".history__energy")).to_have_text("11.01 kWh")
    expect(row.locator(".history__cost")).to_have_text("€4.29")
    expect(card(page, "CP-001").locator(".card__price")).to_have_text("€0.42/kWh")
    problems.assert_none()
