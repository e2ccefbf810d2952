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
        # Test settings: no tile server (no internet); the attribution keeps OpenStreetMap's default.
        "map": {"tileUrl": "", "attribution": settings.DASHBOARD_MAP_ATTRIBUTION},
        # bob's saved home (seed_demo), the list's nearest-first origin until the browser shares a position.
        "home": {"lat": 42.3601, "lng": -71.0589},
        # Test settings: no events process beside the live server, so no stream (DASHBOARD_PUSH off).
        "eventsUrl": None,
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


def test_logout_by_get_asks_to_confirm_and_does_not_sign_out(demo):
    client = Client()
    client.force_login(demo["alice"].driver.user)
    response = client.get("/logout/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="logout-title">Sign out?</h1>' in html
    assert 'method="post" action="/logout/"' in html and 'id="logout-confirm"' in html
    assert "csrfmiddlewaretoken" in html
    assert client.get("/").status_code == 200  # still signed in


def test_logout_by_get_when_signed_out_goes_to_login():
    response = Client().get("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"


def test_logout_confirm_page_signs_out_with_its_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["alice"].driver.user)
    client.get("/logout/")
    response = client.post("/logout/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_favicon_ico_points_at_the_static_icon_the_pages_use(demo):
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/dashboard/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content if icon.streaming else [icon.content])
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon" href="/static/dashboard/favicon.ico"' in client.get("/login/").content.decode()


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


def test_the_page_config_names_the_event_stream_when_push_is_on(client, settings):
    from tests.factories import DriverFactory

    settings.DASHBOARD_PUSH = True
    settings.EVENTS_URL = "//{host}:8101"
    client.force_login(DriverFactory().user)

    config = _config(client.get("/"))

    assert config["eventsUrl"] == "//{host}:8101"
