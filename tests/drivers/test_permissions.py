"""Another driver's `/drivers/{driver_id}/...` URL is a 404 for every client, the browsable API included."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _driver_scoped_routes(patterns=None, prefix="") -> list[str]:
    """Every route under `drivers/<id:driver_id>/`, read from the URL configuration itself."""
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _driver_scoped_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("drivers/<id:driver_id>/"):
            routes.append(route)
    return routes


def _bobs_url(route: str) -> str:
    return "/" + re.sub(r"<id:(\w+)>", lambda m: "driver-bob" if m[1] == "driver_id" else f"{m[1]}-1", route)


DRIVER_URLS = [_bobs_url(route) for route in _driver_scoped_routes()]
METHODS = ["get", "post", "delete", "options"]


def test_the_url_list_covers_the_driver_endpoints():
    assert "/drivers/driver-bob/sessions/current" in DRIVER_URLS
    assert "/drivers/driver-bob/favorites/cp_id-1" in DRIVER_URLS
    assert len(DRIVER_URLS) >= 10


@pytest.fixture
def alice_browser(alice, bob):
    """Alice signed in with a session, as the browsable API is used."""
    client = APIClient()
    client.force_login(alice.user)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("url", DRIVER_URLS)
def test_another_drivers_url_is_a_404_page_in_the_browsable_api(alice_browser, url, method):
    response = getattr(alice_browser, method)(url, HTTP_ACCEPT="text/html")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Driver not found" in response.content
    assert b"Traceback (most recent call last)" not in response.content


@pytest.mark.parametrize("url", DRIVER_URLS)
def test_another_drivers_url_is_a_404_for_json_clients(alice_browser, url):
    response = alice_browser.get(url, HTTP_ACCEPT="application/json")

    assert (response.status_code, response.json()) == (404, {"detail": "Driver not found"})
