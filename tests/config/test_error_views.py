import json

import pytest


@pytest.mark.parametrize("path", ["/no-such-endpoint", "/drivers/driver-alice/requests/%05bad/extra"])
def test_unknown_paths_answer_json_to_api_clients(client, settings, path):
    settings.DEBUG = False
    response = client.get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


def test_unknown_paths_answer_html_to_browsers(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page", HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_answers_json_to_api_clients(rf):
    from config.error_views import server_error

    response = server_error(rf.get("/charging-points", HTTP_ACCEPT="application/json"))
    assert response.status_code == 500
    assert json.loads(response.content)["detail"].startswith("Internal server error")
