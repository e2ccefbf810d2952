"""The specification's single-driver mode: DRIVER_DRIVER_ID lets credential-less local clients act as one driver."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/drivers/driver-alice/sessions/current"


@pytest.fixture
def single_driver(settings, alice):
    settings.DRIVER_DRIVER_ID = "driver-alice"
    return alice


def test_without_the_setting_credential_less_requests_are_refused(anon_client, alice):
    response = anon_client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_configured_driver_needs_no_credentials_from_this_machine(anon_client, single_driver, cp):
    assert anon_client.get(URL).json() is None
    response = anon_client.post(
        "/drivers/driver-alice/requests", {"cp_id": "CP-001", "vehicle_id": "vehicle-1"}, format="json"
    )
    assert response.status_code == 202
    assert response.json()["status"] == "PENDING"


def test_favorite_flag_follows_the_configured_driver(anon_client, single_driver, cp):
    assert anon_client.post("/drivers/driver-alice/favorites", {"cp_id": "CP-001"}, format="json").status_code == 204
    assert anon_client.get("/charging-points").json()[0]["favorite"] is True


def test_other_drivers_stay_invisible(anon_client, single_driver, bob):
    response = anon_client.get("/drivers/driver-bob/sessions/current")
    assert (response.status_code, response.json()) == (404, {"detail": "Driver not found"})


def test_requests_from_the_network_still_need_credentials(single_driver):
    client = APIClient(REMOTE_ADDR="192.0.2.10")
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_ORIGIN": "https://evil.example"}],
)
def test_another_sites_page_cannot_act_for_the_driver(anon_client, single_driver, cp, headers):
    response = anon_client.post(
        "/drivers/driver-alice/requests", {"cp_id": "CP-001", "vehicle_id": "v"}, format="json", **headers
    )
    assert response.status_code == 401


def test_a_bad_token_is_not_rescued_by_the_mode(anon_client, single_driver):
    response = anon_client.get(URL, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid token."})


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_FORWARDED": "for=192.0.2.10"},
        {"HTTP_X_FORWARDED_FOR": "192.0.2.10"},
        {"HTTP_X_FORWARDED_HOST": "dashboard.example"},
        {"HTTP_X_FORWARDED_PROTO": "https"},
        {"HTTP_X_REAL_IP": "192.0.2.10"},
    ],
)
def test_a_request_that_came_through_a_proxy_is_not_the_driver(anon_client, single_driver, cp, header):
    # A reverse proxy, tunnel or sidecar on this host makes every client look like loopback.
    read = anon_client.get(URL, **header)
    write = anon_client.post(
        "/drivers/driver-alice/requests", {"cp_id": "CP-001", "vehicle_id": "v"}, format="json", **header
    )

    for response in (read, write):
        assert response.status_code == 401
        assert "proxy" in response.json()["detail"]
        assert "DRIVER_DRIVER_ID" in response.json()["detail"]
    assert not single_driver.sessions.exists()


def test_a_proxied_request_with_a_token_still_works(alice_client, single_driver):
    assert alice_client.get(URL, HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 200


def test_public_endpoints_still_answer_proxied_requests(anon_client, single_driver, cp):
    response = anon_client.get("/charging-points", HTTP_X_FORWARDED_FOR="192.0.2.10")

    assert response.status_code == 200
    assert response.json()[0]["favorite"] is False


def test_another_sites_page_is_told_why(anon_client, single_driver):
    response = anon_client.get(URL, HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 401
    assert "another site" in response.json()["detail"]
