"""axe-core on the pages a driver sees: sign in, "Sign out?", and the dashboard on a desktop and a phone.

Zero violations of impact "serious" or "critical" (tests/browser/axe.py); the console stays clean.
"""

import re

import pytest
from playwright.sync_api import expect

from chargingpoints.models import PointStatus
from tests.browser.axe import assert_no_serious_violations
from tests.browser.pages import demo_network, sign_in
from tests.factories import BroadcastAlertFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network(transactional_db):
    return demo_network(statuses={"CP-006": PointStatus.OFFLINE})


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
