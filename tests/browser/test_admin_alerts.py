"""The operator's side in a real browser: an alert scoped by picking cities and a point, with the count of the
drivers it will reach shown before saving, and delivered to exactly those drivers; the live-sessions list that
refreshes itself. axe-core checks the admin pages (tests/browser/axe.py)."""

import json
import re
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from chargingpoints.models import ChargingPoint, PointStatus
from chargingpoints.services import DEFAULT_NETWORK_FILE, charging_points_import, charging_points_read_file
from drivers.services import drivers_seed_demo
from notifications.models import BroadcastAlert
from sessions_app.admin import ChargingSessionAdmin
from sessions_app.status import SessionStatus
from tests.browser.axe import assert_no_serious_violations
from tests.factories import ChargingSessionFactory, FavoriteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPERATOR_PASSWORD = "operator-pass-2026"


@pytest.fixture
def town(transactional_db):
    """The default network and the demo drivers (homes: alice Springfield, bob Boston, charlie Madrid, david
    Barcelona, eve Berlin). eve's favorite is CP-006 (Cambridge); david charges at CP-007 (Madrid); bob's only
    Springfield session is finished and his favorite is in Boston."""
    charging_points_import(charging_points_read_file(DEFAULT_NETWORK_FILE))
    ChargingPoint.objects.update(status=PointStatus.FREE, last_updated=timezone.now())
    demo = {d.driver.user.username: d for d in drivers_seed_demo()}
    point = {p.cp_id: p for p in ChargingPoint.objects.all()}
    FavoriteFactory(driver=demo["eve"].driver, charging_point=point["CP-006"])
    FavoriteFactory(driver=demo["bob"].driver, charging_point=point["CP-004"])
    ChargingSessionFactory(driver=demo["david"].driver, charging_point=point["CP-007"], status=SessionStatus.CHARGING)
    ChargingSessionFactory(driver=demo["bob"].driver, charging_point=point["CP-002"], status=SessionStatus.COMPLETED)
    get_user_model().objects.create_superuser("operator", "op@example.com", OPERATOR_PASSWORD)
    return demo


def admin_sign_in(page):
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("operator")
    page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def choose(page, field: str, label: str):
    """Django's two-box multi-select: pick an option in "Available …" and press "Choose"."""
    page.locator(f"#id_{field}_from").select_option(label=label)
    page.locator(f"#id_{field}_add").click()


def alert_ids(base_url: str, demo_driver) -> list[str]:
    request = urllib.request.Request(
        f"{base_url}/drivers/{demo_driver.driver.driver_id}/alerts",
        headers={"Authorization": f"Token {demo_driver.token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        return [alert["alert_id"] for alert in json.load(response)]


def test_operator_scopes_an_alert_sees_its_reach_and_it_reaches_exactly_those_drivers(
    open_page, town, live_server, screenshot
):
    page, problems = open_page("desktop")
    admin_sign_in(page)
    page.goto("/admin/notifications/broadcastalert/add/")
    reach = page.locator("#alert-reach")
    expect(reach).to_have_text("No cities or points chosen: this alert reaches every driver (5 drivers now).")
    assert_no_serious_violations(page, where="on the admin's alert form")

    page.get_by_label("Title:").fill("Road works")
    page.get_by_label("Message:").fill("Expect delays around the chargers")
    choose(page, "cities", "Springfield")
    expect(reach).to_have_text("This alert reaches 1 driver now.")  # alice lives there; bob's session is over
    choose(page, "cities", "Madrid")
    expect(reach).to_have_text("This alert reaches 3 drivers now.")  # + charlie (home), david (open session)
    choose(page, "charging_points", "CP-006 Cambridge Library Lot")
    expect(reach).to_have_text("This alert reaches 4 drivers now.")  # + eve (favorite)
    page.locator("#toggle-nav-sidebar").click()  # room for the two-box selectors in the picture
    page.set_viewport_size({"width": 1280, "height": 1040})
    page.get_by_role("heading", name="Who receives it").evaluate("heading => heading.scrollIntoView()")
    screenshot(page, "admin-alert-form")
    assert_no_serious_violations(page, where="on the admin's alert form with a scope chosen")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    alert = BroadcastAlert.objects.get(title="Road works")
    assert sorted(alert.cities) == ["Madrid", "Springfield"]
    assert [p.cp_id for p in alert.charging_points.all()] == ["CP-006"]

    received = {name: alert_ids(live_server.url, demo) == [alert.alert_id] for name, demo in town.items()}
    assert received == {"alice": True, "bob": False, "charlie": True, "david": True, "eve": True}
    problems.assert_none()


def test_live_sessions_list_shows_its_age_and_refreshes_itself(open_page, town, monkeypatch):
    monkeypatch.setattr(ChargingSessionAdmin, "live_refresh_seconds", 2)
    page, problems = open_page("desktop")
    admin_sign_in(page)
    page.goto("/admin/sessions_app/chargingsession/")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#live-refresh")).to_contain_text("refresh every 2 s")
    assert_no_serious_violations(page, where="on the admin's sessions list")

    ChargingSessionFactory(
        driver=town["alice"].driver,
        charging_point=ChargingPoint.objects.get(cp_id="CP-001"),
        status=SessionStatus.CHARGING,
    )
    # No click: the list reloads itself and shows the new session.
    expect(page.locator("#result_list tbody tr")).to_have_count(3, timeout=8_000)

    page.locator("#live-refresh input[type=checkbox]").uncheck()  # the operator pauses it
    page.wait_for_timeout(1_200)
    expect(page.locator("#live-refresh [data-age]")).to_have_text(re.compile(r"^\d+ s ago$"), timeout=4_000)
    problems.assert_none()
