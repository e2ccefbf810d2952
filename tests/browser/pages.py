"""What the browser tests share: the demo network in a known state, central's last poll, signing in, a card."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from central.models import CentralSyncState
from chargingpoints.models import ChargingPoint, PointStatus
from chargingpoints.services import DEFAULT_NETWORK_FILE, charging_points_import, charging_points_read_file
from drivers.services import demo_password, drivers_seed_demo


def demo_network(*, statuses: dict[str, str] | None = None, polled: bool = True) -> dict:
    """The default 12-point network, free but for `statuses` ({cp_id: status}), and the demo drivers by username.

    `polled`: central answered a poll just now, so the page shows live (not stale) data."""
    charging_points_import(charging_points_read_file(DEFAULT_NETWORK_FILE))
    ChargingPoint.objects.update(status=PointStatus.FREE, last_updated=timezone.now())
    for cp_id, status in (statuses or {}).items():
        ChargingPoint.objects.filter(cp_id=cp_id).update(status=status)
    if polled:
        central_polled()
    return {d.driver.user.username: d.driver for d in drivers_seed_demo()}


def central_polled():
    """Record a successful poll of central just now (what the central-sync task does)."""
    now = timezone.now()
    CentralSyncState.objects.update_or_create(
        singleton=1, defaults={"last_attempt_at": now, "last_success_at": now, "unreachable_since": None}
    )


def sign_in(page, username: str):
    """Open the dashboard signed out (it sends the visitor to log in), sign in, and wait for the first cards."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_password(username))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#points .card")).not_to_have_count(0)


def card(page, cp_id: str):
    return page.locator(f'.card[data-cp-id="{cp_id}"]')
