"""The dashboard's pages: who may see `/`, signing in with the demo password, signing out."""

import json

import pytest
from django.test import Client

from drivers.services import demo_password, drivers_seed_demo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    return {d.driver.user.username: d for d in drivers_seed_demo()}


def _config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="dashboard-config" type="application/json">') + len(
        '<script id="dashboard-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_anonymous_visitor_is_sent_to_login():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_login_page_renders_a_form_with_csrf():
    response = Client().get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert "csrfmiddlewaretoken" in html


def test_demo_driver_signs_in_with_the_seeded_password_and_sees_own_dashboard(demo, settings):
    settings.DASHBOARD_REFRESH_SECONDS = 1.5
    settings.NOTIFICATION_TOAST_SECONDS = 4.0
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/login/",
        {"username": "bob", "password": demo_password("bob"), "csrfmiddlewaretoken": token, "next": "/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"

    dashboard = client.get("/")
    assert dashboard.status_code == 200
    config = _config(dashboard)
    assert config.pop("csrfToken")
    assert config == {
        "driverId": "driver-bob",
        "displayName": "Bob",
        "refreshMs": 1500,
        "toastMs": 4000,
        "vehicleId": "vehicle-1",
        "loginUrl": "/login/",
    }
    assert "csrftoken" in dashboard.cookies  # the page's fetch() writes send it back as X-CSRFToken
    assert "/static/dashboard/js/main.js" in dashboard.content.decode()


def test_wrong_password_shows_an_error_and_does_not_sign_in(demo):
    client = Client()
    response = client.post("/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_signed_in_driver_visiting_login_goes_to_the_dashboard(demo):
    client = Client()
    client.force_login(demo["alice"].driver.user)
    response = client.get("/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_signs_out_and_returns_to_login(demo):
    client = Client()
    client.force_login(demo["alice"].driver.user)
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_logout_by_get_is_refused(demo):
    client = Client()
    client.force_login(demo["alice"].driver.user)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_user_without_driver_profile_gets_a_clear_403():
    client = Client()
    client.force_login(UserFactory(username="operator"))
    response = client.get("/")
    assert response.status_code == 403
    assert "No driver profile" in response.content.decode()


def test_dashboard_static_assets_are_served():
    client = Client()
    for path in ("/static/dashboard/js/main.js", "/static/dashboard/dashboard.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content if response.streaming else [response.content])
