"""axe-core on the pages a driver sees: sign in, "Sign out?", and the dashboard on a desktop and a phone.

Zero violations of impact "serious" or "critical" (tests/browser/axe.py); the console stays clean.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from central.models import CentralSyncState
from chargingpoints.models import ChargingPoint, PointStatus
from chargingpoints.services import DEFAULT_NETWORK_FILE, charging_points_import, charging_points_read_file
from drivers.services import demo_password, drivers_seed_demo
from tests.browser.axe import assert_no_serious_violations
from tests.factories import BroadcastAlertFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network(transactional_db):
    charging_points_import(charging_points_read_file(DEFAULT_NETWORK_FILE))
    ChargingPoint.objects.update(status=PointStatus.FREE, last_updated=timezone.now())
    ChargingPoint.objects.filter(cp_id="CP-006").update(status=PointStatus.OFFLINE)
    # Central polled just now: the page shows live, not stale, data.
    now = timezone.now()
    CentralSyncState.objects.update_or_create(
        singleton=1, defaults={"last_attempt_at": now, "last_success_at": now, "unreachable_since": None}
    )
    return {d.driver.user.username: d.driver for d in drivers_seed_demo()}


def sign_in(page, username: str):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_password(username))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_sign_in_and_sign_out_pages_have_no_serious_accessibility_problems(open_page, network):
    page, problems = open_page("desktop")
    page.goto("/login/")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_no_serious_violations(page, where="on /login/")

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_serious_violations(page, where="on /login/ with an error")

    sign_in(page, "alice")
    page.goto("/logout/")
    expect(page.get_by_role("heading", level=1, name="Sign out?")).to_be_visible()
    assert_no_serious_violations(page, where="on /logout/ (GET)")
    page.locator("#logout-confirm").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    problems.assert_none(allow=("401", "Unauthorized"))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_dashboard_has_no_serious_accessibility_problems(open_page, network, size):
    BroadcastAlertFactory(title="Works on Main St", message="Expect delays", severity="WARN")
    page, problems = open_page(size)
    sign_in(page, "alice")
    expect(page.locator("#points .card")).not_to_have_count(0)
    expect(page.locator("#alerts")).to_contain_text("Works on Main St")

    assert_no_serious_violations(page, where=f"on the dashboard ({size})")
    problems.assert_none()
