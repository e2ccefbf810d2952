"""Errors a client can cause answer JSON `{"detail": ...}` to API clients; browsers get HTML pages outside the API."""

import json

import pytest

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


@pytest.mark.parametrize(
    "path", ["/no-such-endpoint", "/drivers/driver-alice/requests/%05bad/extra", "/%01%02", "/charging-points/%01/x"]
)
@pytest.mark.parametrize("accept", ["application/json", "*/*", None])
def test_unknown_paths_answer_json_to_api_clients(client, path, accept):
    response = client.get(path, **({"HTTP_ACCEPT": accept} if accept else {}))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found"}


@pytest.mark.parametrize("path", ["/drivers/%01%02", "/charging-points/a/b", "/api/nothing", "/health/x"])
def test_unknown_api_paths_answer_json_even_to_browsers(client, path):
    response = client.get(path, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert (response.status_code, response.json()) == (404, {"detail": "Not found"})


def test_unknown_pages_answer_html_to_browsers(client):
    response = client.get("/no-such-page", HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_answers_json_to_api_clients(rf):
    from config.error_views import server_error

    response = server_error(rf.get("/charging-points", HTTP_ACCEPT="application/json"))
    assert response.status_code == 500
    assert json.loads(response.content)["detail"].startswith("Internal server error")


@pytest.mark.parametrize("path", ["/charging-points", "/health", "/drivers/driver-alice/favorites", "/login/"])
def test_a_bad_host_is_a_400_with_json(client, path):
    response = client.get(path, HTTP_HOST="evil.example", HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Invalid Host header"}


def test_a_bad_host_is_an_html_page_for_browsers_outside_the_api(client):
    response = client.get("/login/", HTTP_HOST="evil.example", HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.fixture
def over_the_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    return "x" * 2000


@pytest.mark.parametrize("path", ["/drivers/driver-alice/requests", "/drivers/driver-alice/favorites"])
def test_a_json_body_over_the_limit_is_a_413(alice_client, cp, over_the_limit, path):
    body = json.dumps({"cp_id": "CP-001", "vehicle_id": "v", "padding": over_the_limit})

    response = alice_client.generic("POST", path, body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body is larger than the limit of 1000 bytes"}
    assert not alice_client.get("/drivers/driver-alice/favorites").json()


def test_a_form_body_over_the_limit_is_a_413(alice_client, cp, over_the_limit):
    response = alice_client.post(
        "/drivers/driver-alice/favorites", {"cp_id": "CP-001", "padding": over_the_limit}, format="multipart"
    )

    assert (response.status_code, response.json()) == (
        413,
        {"detail": "Request body is larger than the limit of 1000 bytes"},
    )


def test_a_form_body_over_the_limit_outside_the_api_is_a_413(client, over_the_limit):
    client.cookies["csrftoken"] = "a" * 32
    response = client.post("/login/", {"username": "alice", "password": over_the_limit}, HTTP_ACCEPT="application/json")

    assert (response.status_code, response.json()) == (
        413,
        {"detail": "Request body is larger than the limit of 1000 bytes"},
    )
