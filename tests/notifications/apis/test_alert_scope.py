"""The alert scope rule: a city-scoped alert reaches drivers whose home city, a favorite point's city or open
session's point's city is in the scope (GET /drivers/{id}/alerts), and the admin's reach count agrees."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from notifications.selectors import alert_reach
from sessions_app.status import SessionStatus
from tests.factories import (
    BroadcastAlertFactory,
    ChargingPointFactory,
    ChargingSessionFactory,
    DriverFactory,
    FavoriteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _driver(name: str, home_city: str = ""):
    return DriverFactory(user=UserFactory(username=name), driver_id=f"driver-{name}", home_city=home_city)


def _alert_ids(driver) -> list[str]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=driver.user)[0].key}")
    response = client.get(f"/drivers/{driver.driver_id}/alerts")
    assert response.status_code == 200
    return [alert["alert_id"] for alert in response.json()]


@pytest.fixture
def town():
    """Points in Springfield and Boston, and one alert scoped to the city of Springfield."""
    springfield = ChargingPointFactory(cp_id="CP-SPR", city="Springfield")
    boston = ChargingPointFactory(cp_id="CP-BOS", city="Boston")
    alert = BroadcastAlertFactory(alert_id="alert-springfield", cities=["Springfield"])
    return {"springfield": springfield, "boston": boston, "alert": alert}


def test_city_alert_reaches_a_driver_whose_home_is_in_the_city(town):
    homebody = _driver("homebody", home_city="springfield")  # case does not matter

    assert _alert_ids(homebody) == ["alert-springfield"]


def test_city_alert_reaches_a_driver_with_a_favorite_in_the_city(town):
    fan = _driver("fan", home_city="Boston")
    FavoriteFactory(driver=fan, charging_point=town["springfield"])

    assert _alert_ids(fan) == ["alert-springfield"]


@pytest.mark.parametrize("status", [SessionStatus.PENDING, SessionStatus.APPROVED, SessionStatus.CHARGING])
def test_city_alert_reaches_a_driver_whose_open_session_is_in_the_city(town, status):
    visitor = _driver("visitor", home_city="Boston")
    ChargingSessionFactory(driver=visitor, charging_point=town["springfield"], status=status)

    assert _alert_ids(visitor) == ["alert-springfield"]


def test_city_alert_does_not_reach_a_driver_with_nothing_in_the_city(town):
    """Home, favorite and open session elsewhere, and only a finished session in the city: not reached."""
    outsider = _driver("outsider", home_city="Boston")
    FavoriteFactory(driver=outsider, charging_point=town["boston"])
    ChargingSessionFactory(driver=outsider, charging_point=town["springfield"], status=SessionStatus.COMPLETED)
    ChargingSessionFactory(driver=outsider, charging_point=town["boston"], status=SessionStatus.CHARGING)
    homeless = _driver("homeless")

    assert _alert_ids(outsider) == []
    assert _alert_ids(homeless) == []


def test_point_alert_does_not_reach_a_driver_who_only_lives_in_its_city(town):
    """Points are matched by favorite or open session only: living in the city is not enough."""
    homebody = _driver("homebody", home_city="Springfield")
    town["alert"].delete()
    BroadcastAlertFactory(alert_id="alert-cp-spr").charging_points.add(town["springfield"])

    assert _alert_ids(homebody) == []


SCOPES = [
    pytest.param({"cities": set(), "points": set()}, id="everyone"),
    pytest.param({"cities": {"Springfield"}, "points": set()}, id="springfield"),
    pytest.param({"cities": {"BOSTON"}, "points": set()}, id="boston-upper-case"),
    pytest.param({"cities": set(), "points": {"springfield"}}, id="cp-spr"),
    pytest.param({"cities": {"Madrid"}, "points": {"boston"}}, id="madrid-or-cp-bos"),
    pytest.param({"cities": {"Nowhere"}, "points": set()}, id="nobody"),
]


@pytest.mark.parametrize("scope", SCOPES)
def test_reach_count_is_exactly_the_drivers_the_alert_is_delivered_to(town, scope):
    town["alert"].delete()
    madrid = ChargingPointFactory(cp_id="CP-MAD", city="Madrid")
    drivers = [
        _driver("home-spr", home_city="Springfield"),
        _driver("home-bos", home_city="boston"),
        _driver("fav-spr", home_city="Berlin"),
        _driver("session-mad"),
        _driver("done-spr", home_city="Berlin"),
        _driver("nothing"),
    ]
    FavoriteFactory(driver=drivers[2], charging_point=town["springfield"])
    ChargingSessionFactory(driver=drivers[3], charging_point=madrid, status=SessionStatus.CHARGING)
    ChargingSessionFactory(driver=drivers[4], charging_point=town["springfield"], status=SessionStatus.STOPPED)
    points = {town[name] for name in scope["points"]}
    alert = BroadcastAlertFactory(alert_id="alert-scoped", cities=sorted(scope["cities"]))
    alert.charging_points.set(points)

    delivered = {driver.pk for driver in drivers if _alert_ids(driver) == ["alert-scoped"]}

    assert set(alert_reach(point_pks={p.pk for p in points}, cities=scope["cities"])) == delivered
    if scope["cities"] == {"Nowhere"}:
        assert delivered == set()
    if not scope["cities"] and not scope["points"]:
        assert len(delivered) == len(drivers)


def test_reach_of_the_springfield_scope_by_name(town):
    """The expected drivers spelled out once, so the agreement above is not agreement on nothing."""
    reached = [_driver("home", home_city="Springfield"), _driver("fav"), _driver("live")]
    FavoriteFactory(driver=reached[1], charging_point=town["springfield"])
    ChargingSessionFactory(driver=reached[2], charging_point=town["springfield"], status=SessionStatus.PENDING)
    _driver("away", home_city="Boston")

    assert alert_reach(point_pks=set(), cities={"springfield"}) == sorted(d.pk for d in reached)


def test_reach_takes_a_fixed_number_of_queries(town, django_assert_num_queries):
    for index in range(5):
        fan = _driver(f"fan{index}", home_city="Springfield")
        FavoriteFactory(driver=fan, charging_point=town["springfield"])
        ChargingSessionFactory(driver=fan, charging_point=town["boston"], status=SessionStatus.CHARGING)

    with django_assert_num_queries(3):
        assert len(alert_reach(point_pks={town["boston"].pk}, cities={"Springfield"})) == 5
