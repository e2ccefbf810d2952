"""The driver's page in a real browser: the map (with tiles served by the test, with tiles that fail, with none),
a marker selecting its card, nearest first, the sort control and the search (bookmarkable), the phone layout
(filters folded, the parts of the page one tap away), a negative minimum power, and keyboard focus when an unstarred
card leaves the "Favorites only" list.

The test settings have no tile server (no internet here); the tile tests set one and answer (or abort) its requests
with playwright's routing, so no request leaves the machine.
"""

import base64
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from chargingpoints.models import ChargingPoint
from chargingpoints.selectors import haversine_km
from drivers.models import Favorite
from tests.browser import test_dashboard_page as dashboard_page
from tests.browser.conftest import POSITION
from tests.browser.pages import card, central_polled, sign_in
from tests.factories import ChargingPointFactory
from tests.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The default 12-point network (CP-003 busy, CP-006 offline), the same fixture as the dashboard's page tests.
network = dashboard_page.network

TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
TILES = re.compile(r"^https://tiles\.example\.test/")
# A 1×1 light grey PNG: what the fake tile server answers for every tile.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPo6OgAAAMEAYFL09IQAAAAAElFTkSuQmCC")


def card_ids(page) -> list[str]:
    return page.locator("#points .card").evaluate_all("cards => cards.map(c => c.dataset.cpId)")


def nearest_first() -> list[str]:
    """Every point's cp_id, nearest to the browser's position first (ties in cp_id order), as the API orders."""
    points = ChargingPoint.objects.all()
    distance = {
        p.cp_id: round(haversine_km(POSITION["latitude"], POSITION["longitude"], p.latitude, p.longitude), 1)
        for p in points
    }
    return sorted(distance, key=lambda cp_id: (distance[cp_id], cp_id))


def marker(page, cp_id: str):
    return page.locator(f'#map .leaflet-marker-icon[data-cp-id="{cp_id}"]')


def test_map_with_tiles_shows_the_points_around_the_driver_and_a_marker_selects_its_card(
    open_page, network, settings, screenshot
):
    settings.DASHBOARD_MAP_TILE_URL = TILE_URL
    central_polled()
    page, problems = open_page("desktop")
    # Without smooth scrolling the selected card is in place at once (and in the screenshot).
    page.emulate_media(reduced_motion="reduce")
    tiles: list[str] = []

    def serve_tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG)

    page.route(TILES, serve_tile)
    sign_in(page, "alice")

    # Springfield's three points are in the view around the driver; Boston, Madrid… are not asked for.
    for cp_id in ("CP-001", "CP-002", "CP-003"):
        expect(marker(page, cp_id)).to_be_visible()
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(3)
    expect(page.locator("#map .leaflet-tile-loaded").first).to_be_visible()
    assert tiles and all(re.search(r"/\d+/\d+/\d+\.png$", url) for url in tiles)
    expect(page.locator("#map .leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    # Colour is not the only cue: each marker names its point and status, and the legend has words.
    expect(marker(page, "CP-003")).to_have_attribute(
        "aria-label", "Show Forest Park Curbside (CP-003), Occupied in the list"
    )
    expect(page.locator("#map-legend")).to_have_text(re.compile(r"Free\s+Occupied\s+Offline\s+You"))
    expect(page.locator("#map path.map-you")).to_have_count(1)

    marker(page, "CP-003").click()
    selected = card(page, "CP-003")
    expect(selected).to_have_class(re.compile(r"\bcard--selected\b"))
    expect(selected).to_be_focused()
    expect(selected).to_be_in_viewport()
    expect(marker(page, "CP-003")).to_have_class(re.compile(r"\bmap-marker--selected\b"))
    # The keyboard does the same: Enter on a focused marker.
    marker(page, "CP-001").focus()
    page.keyboard.press("Enter")
    expect(card(page, "CP-001")).to_be_focused()
    expect(page.locator(".card--selected")).to_have_count(1)
    screenshot(page, "desktop-map")
    problems.assert_none()


def test_map_whose_tiles_cannot_load_still_shows_markers_and_the_list(open_page, network, settings):
    settings.DASHBOARD_MAP_TILE_URL = TILE_URL
    central_polled()
    page, problems = open_page("desktop")
    page.route(TILES, lambda route: route.abort())
    sign_in(page, "alice")

    expect(page.locator("#map-note")).to_have_text(
        "The map background could not be loaded; the markers and the list still work."
    )
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(3)
    expect(page.locator("#points .card")).to_have_count(12)
    marker(page, "CP-002").click()
    expect(card(page, "CP-002")).to_be_focused()
    # The aborted tile images are the browser's own "Failed to load resource" lines, nothing else.
    problems.assert_none(allow=("Failed to load resource: net::ERR_FAILED",))


def test_without_a_tile_server_the_map_draws_markers_only(open_page, network):
    central_polled()
    page, problems = open_page("desktop")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, "alice")

    expect(page.locator("#map-note")).to_have_text("Map background off: markers only.")
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(3)
    assert not [url for url in requests if url.endswith(".png") and "/static/" not in url]
    # The map reads only its view (bbox, a bounded page), never the whole catalogue.
    map_reads = [parse_qs(urlparse(url).query) for url in requests if "bbox=" in url]
    assert map_reads and all(read["limit"] == ["500"] for read in map_reads)
    problems.assert_none()


def test_nearest_first_then_sort_and_search_are_kept_in_the_url(open_page, network):
    central_polled()
    page, problems = open_page("desktop")
    sign_in(page, "alice")

    expected = nearest_first()
    assert expected[:3] == ["CP-002", "CP-001", "CP-003"] and set(expected[-2:]) == {"CP-011", "CP-012"}
    expect(page.locator("#points .card")).to_have_count(12)
    # From alice's home (at CP-001) until the browser's position arrives, then from the browser's.
    wait_for(lambda: card_ids(page) == expected, 5.0, "the cards nearest first from the browser's position")
    expect(card(page, "CP-002").locator(".card__distance")).to_have_text("1.1 km")
    expect(page.get_by_label("Sort by")).to_have_value("")

    page.get_by_label("Sort by").select_option(label="Cheapest")
    expect(page.locator("#points .card").first).to_have_attribute("data-cp-id", "CP-008")
    prices = {p.cp_id: p.price_eur_per_kwh for p in ChargingPoint.objects.all()}
    assert card_ids(page) == sorted(prices, key=lambda cp_id: (prices[cp_id], cp_id))
    expect(page).to_have_url(re.compile(r"[?&]ordering=price\b"))

    page.get_by_label("Sort by").select_option(label="Most powerful")
    expect(page.locator("#points .card").first).to_have_attribute("data-cp-id", "CP-002")
    assert card_ids(page)[:2] == ["CP-002", "CP-010"]

    page.get_by_label("Search").fill("springfield main")
    expect(page.locator("#points .card")).to_have_count(1)
    expect(card(page, "CP-001")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]q=springfield\+main\b"))

    # A bookmark brings the same list back.
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("springfield main")
    expect(page.get_by_label("Sort by")).to_have_value("power")
    expect(page.locator("#points .card")).to_have_count(1)

    page.get_by_label("Search").fill("boston")
    expect(page.locator("#points .card")).to_have_count(2)
    assert card_ids(page) == ["CP-005", "CP-004"]  # 120 kW before 50 kW
    page.get_by_label("Search").fill("nowhere at all")
    expect(page.locator("#points-empty")).to_be_visible()
    problems.assert_none()


def test_a_negative_minimum_power_is_refused_with_a_message(open_page, network):
    central_polled()
    page, problems = open_page("desktop")
    sign_in(page, "alice")
    expect(page.locator("#points .card")).to_have_count(12)

    page.get_by_label("Min. power (kW)").fill("-5")
    error = page.locator("#filter-power-error")
    expect(error).to_have_text("The minimum power cannot be negative.")
    expect(page.get_by_label("Min. power (kW)")).to_have_attribute("aria-invalid", "true")
    # Not applied: the list stays whole and the URL has no bad value (the API would answer 400).
    page.wait_for_timeout(600)
    expect(page.locator("#points .card")).to_have_count(12)
    assert "min_power_kw" not in page.url
    assert page.request.get("/charging-points?min_power_kw=-5").status == 400

    page.get_by_label("Min. power (kW)").fill("100")
    expect(error).to_be_hidden()
    expect(page.locator("#points .card")).to_have_count(4)
    problems.assert_none()


def test_unstarring_under_favorites_only_keeps_focus_on_the_list(open_page, network):
    central_polled()
    for cp_id in ("CP-001", "CP-002", "CP-003"):
        Favorite.objects.create(driver=network["alice"], charging_point=ChargingPoint.objects.get(cp_id=cp_id))
    page, problems = open_page("desktop")
    sign_in(page, "alice")
    page.get_by_label("Favorites only").check()
    expect(page.locator("#points .card")).to_have_count(3)

    star = card(page, "CP-001").locator(".star")
    star.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#points .card")).to_have_count(2)
    # Focus moved to a neighbouring card's star, not to <body>.
    focused = page.evaluate(
        "document.activeElement.closest('.card') && document.activeElement.closest('.card').dataset.cpId"
    )
    assert focused in ("CP-002", "CP-003")
    expect(page.locator(":focus")).to_have_class(re.compile(r"\bstar\b"))

    for cp_id in ("CP-002", "CP-003"):
        card(page, cp_id).locator(".star").focus()
        page.keyboard.press("Enter")
    expect(page.locator("#points .card")).to_have_count(0)
    expect(page.locator("#points-title")).to_be_focused()
    problems.assert_none()


def test_phone_layout_folds_the_filters_and_links_the_parts_of_the_page(open_page, network, screenshot):
    central_polled()
    page, problems = open_page("phone")
    sign_in(page, "alice")

    # Search, order and one "Filters" button; the other filters are folded.
    expect(page.get_by_label("Search")).to_be_visible()
    expect(page.get_by_label("Sort by")).to_be_visible()
    expect(page.get_by_label("City")).to_be_hidden()
    toggle = page.get_by_role("button", name="Filters", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    filters_box = page.locator("#filters").bounding_box()
    assert filters_box["height"] < 200, filters_box
    screenshot(page, "phone-map")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.get_by_label("Availability").select_option(label="Free only")
    expect(page.locator("#points .card")).to_have_count(10)
    expect(page.get_by_role("button", name="Filters (1)", exact=True)).to_be_visible()

    # The parts of the page are one tap away: the history heading comes into view.
    nav = page.get_by_role("navigation", name="Parts of the page")
    expect(nav).to_be_visible()
    # Every link fits on the phone's width (none scrolled out of sight).
    for name in ("Points", "Session", "Notifications", "History"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_in_viewport(ratio=1)
    nav.get_by_role("link", name="History").click()
    expect(page.locator("#history-title")).to_be_in_viewport()
    expect(page).to_have_url(re.compile(r"#history-title$"))
    nav.get_by_role("link", name="Points").click()
    expect(page.locator("#points-title")).to_be_in_viewport()

    # The map folds too.
    page.get_by_role("button", name="Hide map").click()
    expect(page.locator("#map")).to_be_hidden()
    page.get_by_role("button", name="Show map").click()
    expect(page.locator("#map .leaflet-marker-icon").first).to_be_visible()
    problems.assert_none()


def test_the_list_is_read_a_page_at_a_time_and_show_more_adds_the_next(open_page, network):
    # 50 more points in Lisbon, farther than everything else: 62 in all, more than one page of 50.
    ChargingPointFactory.create_batch(50, city="Lisbon", latitude=38.72, longitude=-9.14)
    central_polled()
    page, problems = open_page("desktop")
    list_reads: list[str] = []
    page.on(
        "request",
        lambda request: list_reads.append(request.url) if "include=details" in request.url else None,
    )
    sign_in(page, "alice")

    expect(page.locator("#points .card")).to_have_count(50)
    expect(page.locator("#points-count")).to_have_text("first 50 shown")
    assert list_reads and all(parse_qs(urlparse(url).query)["limit"] == ["51"] for url in list_reads)
    # Nearest first: Springfield's points come first, the Lisbon ones last.
    expect(page.locator("#points .card").first).to_have_attribute("data-cp-id", "CP-002")

    page.get_by_role("button", name="Show more points").click()
    expect(page.locator("#points .card")).to_have_count(62)
    expect(page.locator("#points-count")).to_have_text("62 points")
    expect(page.get_by_role("button", name="Show more points")).to_be_hidden()
    problems.assert_none()
