"""The bell of "tell me when it's free" in a real browser: watch an OCCUPIED point, the poll of central sees it
FREE, the notification shows as a toast and in the list, and the bell resets. The test plays central through
the fake central HTTP server and runs the real poll (`central_poll_once`)."""

import re

import pytest
from playwright.sync_api import expect

from central.sync.poll import central_poll_once
from chargingpoints.models import ChargingPoint, PointStatus
from drivers.models import Watch
from notifications.models import Notification
from tests.browser import pages
from tests.browser.pages import demo_network
from tests.fakes.central_http import central_cp
from tests.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUSY = {"engine_state": "SUPPLYING", "current_driver": "driver-zed", "current_session": "s-zed"}


@pytest.fixture
def network(transactional_db):
    """The default 12-point network: CP-003 in use by someone else, CP-006 offline, the rest free."""
    return demo_network(statuses={"CP-003": PointStatus.OCCUPIED, "CP-006": PointStatus.OFFLINE})


def central_reports(fake_central, **overrides_by_point):
    """Central's GET /cp picture: every point idle and healthy, except the overrides given per cp_id."""
    fake_central.charging_points = [
        central_cp(cp_id, **overrides_by_point.get(cp_id.replace("-", "_"), {}))
        for cp_id in ChargingPoint.objects.order_by("cp_id").values_list("cp_id", flat=True)
    ]


def sign_in(page, username: str):
    pages.sign_in(page, username)
    expect(page.locator("#points .card")).to_have_count(12)


def bell(page, cp_id: str):
    return page.locator(f'.card[data-cp-id="{cp_id}"]').locator(".bell")


def test_watch_an_occupied_point_until_the_poll_sees_it_free(open_page, network, fake_central):
    alice = network["alice"]
    page, problems = open_page("desktop")
    sign_in(page, "alice")

    # Only points that are not FREE have a bell, named like the star and not pressed.
    mall = bell(page, "CP-003")
    expect(mall).to_be_visible()
    expect(mall).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("button", name=re.compile(r"^Tell me when .* \(CP-003\) is free$"))).to_be_visible()
    expect(bell(page, "CP-006")).to_be_visible()
    expect(bell(page, "CP-001")).to_be_hidden()

    # Pressed from the keyboard: the driver watches the point, and the page still says so after a reload.
    mall.focus()
    page.keyboard.press("Enter")
    expect(mall).to_have_attribute("aria-pressed", "true")
    expect(mall).to_have_class(re.compile(r"\bbell--on\b"))
    watch = wait_for(lambda: Watch.objects.filter(driver=alice, ended_at__isnull=True).first(), 5.0, interval=0.05)
    assert watch.charging_point.cp_id == "CP-003"
    page.reload()
    expect(bell(page, "CP-003")).to_have_attribute("aria-pressed", "true")

    # A poll that still sees it busy changes nothing.
    central_reports(fake_central, CP_003=BUSY, CP_006={"state": "BROKEN"})
    assert central_poll_once()["watchers_notified"] == 0

    # The poll sees it FREE: one notification, shown like every other; the watch ends and the bell resets.
    central_reports(fake_central, CP_006={"state": "BROKEN"})
    assert central_poll_once()["watchers_notified"] == 1
    toast = page.locator("#toasts .toast", has_text="CP-003")
    expect(toast).to_be_visible()
    expect(toast).to_have_attribute("data-type", "ALERT")
    expect(toast).to_contain_text("is free now: request a charge before someone else does")
    expect(page.locator("#notifications .note", has_text="CP-003")).to_have_count(1)
    expect(page.locator('.card[data-cp-id="CP-003"]')).to_have_attribute("data-status", "FREE")
    expect(bell(page, "CP-003")).to_be_hidden()
    expect(bell(page, "CP-003")).to_have_attribute("aria-pressed", "false")
    assert Watch.objects.get(pk=watch.pk).end_reason == Watch.EndReason.FREE

    # Busy again: the bell is back, not pressed; a replayed picture tells no one twice.
    central_reports(fake_central, CP_003=BUSY, CP_006={"state": "BROKEN"})
    central_poll_once()
    expect(bell(page, "CP-003")).to_be_visible()
    expect(bell(page, "CP-003")).to_have_attribute("aria-pressed", "false")
    assert Notification.objects.filter(driver=alice, message__startswith="CP-003").count() == 1
    problems.assert_none()


def test_unwatch_with_a_second_press(open_page, network):
    alice = network["alice"]
    page, problems = open_page("phone")
    sign_in(page, "alice")

    offline = bell(page, "CP-006")
    offline.click()
    expect(offline).to_have_attribute("aria-pressed", "true")
    wait_for(lambda: Watch.objects.filter(driver=alice, ended_at__isnull=True).exists(), 5.0, interval=0.05)
    offline.click()
    expect(offline).to_have_attribute("aria-pressed", "false")
    wait_for(
        lambda: Watch.objects.filter(driver=alice, end_reason=Watch.EndReason.CANCELLED).exists(), 5.0, interval=0.05
    )
    # The list stays as it was after a few refreshes (the GET agrees with the click).
    page.wait_for_timeout(1200)
    expect(offline).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    problems.assert_none()
