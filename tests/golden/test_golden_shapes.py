"""Golden files pin the JSON shape of every endpoint to the examples of the specification.

Each `tests/golden/<name>.json` holds the specification's example for one endpoint (`spec_example`) and
its shape (`shape`: the keys, and for each value its JSON type: string, number (with decimals),
integer, boolean, datetime (ISO-8601 UTC ending in Z), a `|`-joined union with null, a nested object,
or a one-item list giving the items' shape). Three checks:

1. the shape's keys equal the example's keys, and the example fits the shape;
2. the live response of the endpoint fits the shape, with exactly its keys;
3. when the specification document is beside the repository (`../shared/docs`), each verbatim example
   equals a JSON block of it, and the others contain every key the document shows.
"""

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from central.models import CentralSyncState
from notifications.models import BroadcastAlert
from sessions_app.status import SessionStatus
from tests.factories import (
    BroadcastAlertFactory,
    ChargingSessionFactory,
    FavoriteFactory,
    NotificationFactory,
)

GOLDEN_DIR = Path(__file__).resolve().parent
SPEC = Path(__file__).resolve().parents[3] / "shared" / "docs" / "driver-dashboard-api.md"
GOLDENS = {path.stem: json.loads(path.read_text()) for path in sorted(GOLDEN_DIR.glob("*.json"))}
DATETIME_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def _fits_scalar(value, kind: str) -> bool:
    return {
        "string": isinstance(value, str),
        "number": isinstance(value, float),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "datetime": isinstance(value, str) and bool(DATETIME_Z.match(value)),
        "null": value is None,
    }[kind]


def shape_errors(value, shape, where="$", extra_keys_allowed=False) -> list[str]:
    """Where `value` departs from `shape` (empty when it fits)."""
    if isinstance(shape, str):
        if any(_fits_scalar(value, kind) for kind in shape.split("|")):
            return []
        return [f"{where}: {value!r} is not {shape}"]
    if isinstance(shape, list):
        if not isinstance(value, list) or not value:
            return [f"{where}: expected a non-empty list, got {value!r}"]
        return [error for i, item in enumerate(value) for error in shape_errors(item, shape[0], f"{where}[{i}]")]
    if not isinstance(value, dict):
        return [f"{where}: expected an object, got {value!r}"]
    errors = []
    missing, extra = set(shape) - set(value), set(value) - set(shape)
    if missing:
        errors.append(f"{where}: missing keys {sorted(missing)}")
    if extra and not extra_keys_allowed:
        errors.append(f"{where}: unexpected keys {sorted(extra)}")
    for key in set(shape) & set(value):
        errors.extend(shape_errors(value[key], shape[key], f"{where}.{key}"))
    return errors


def all_keys(value) -> set[str]:
    if isinstance(value, list):
        return set().union(*(all_keys(item) for item in value)) if value else set()
    if isinstance(value, dict):
        return set(value).union(*(all_keys(item) for item in value.values()))
    return set()


# --- The live responses -----------------------------------------------------------------------------


@pytest.fixture
def world(alice, cp, settings):
    """Alice with a home, a favorite, notifications, an alert and sessions of every kind the goldens need."""
    alice.home_latitude, alice.home_longitude = 42.3601, -71.0589
    alice.save()
    FavoriteFactory(driver=alice, charging_point=cp)
    NotificationFactory(driver=alice)
    BroadcastAlertFactory(
        severity=BroadcastAlert.Severity.WARN, expires_at=timezone.now() + timezone.timedelta(hours=1)
    )
    ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        status=SessionStatus.COMPLETED,
        started_at=datetime(2025, 10, 25, 12, tzinfo=UTC),
        completed_at=datetime(2025, 10, 25, 12, 30, tzinfo=UTC),
        energy_kwh=Decimal("25.5000"),
        cost_eur=Decimal("10.7100"),
    )
    CentralSyncState.objects.create(last_success_at=timezone.now())
    return alice


def _charging(alice, cp):
    return ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        session_id="session-xyz789",
        status=SessionStatus.CHARGING,
        started_at=timezone.now(),
        energy_kwh=Decimal("15.5000"),
        cost_eur=Decimal("6.5100"),
    )


def live_response(name: str, client, anon_client, alice, cp, request):
    if name == "health":
        return anon_client.get("/health")
    if name == "charging_points_list":
        return client.get("/charging-points")
    if name == "charging_point_detail":
        return client.get("/charging-points/CP-001")
    if name == "session_request":
        return client.post("/drivers/driver-alice/requests", {"cp_id": "CP-001", "vehicle_id": "v"}, format="json")
    if name == "session_current":
        _charging(alice, cp)
        return client.get("/drivers/driver-alice/sessions/current")
    if name == "session_stop":
        request.getfixturevalue("fake_central")
        _charging(alice, cp)
        return client.post("/drivers/driver-alice/sessions/session-xyz789/stop")
    if name == "session_history":
        return client.get("/drivers/driver-alice/sessions/history")
    if name == "favorites_list":
        return client.get("/drivers/driver-alice/favorites")
    if name == "notifications_list":
        return client.get("/drivers/driver-alice/notifications")
    if name == "alerts_list":
        return client.get("/drivers/driver-alice/alerts")
    if name == "error_driver_not_found":
        return client.get("/drivers/driver-bob/favorites")
    if name == "error_charging_point_not_found":
        return client.get("/charging-points/CP-999")
    if name == "error_invalid_payload":
        return client.post("/drivers/driver-alice/requests", {"cp_id": "CP-001"}, format="json")
    raise AssertionError(f"no live request for golden {name}")


# --- The checks -------------------------------------------------------------------------------------


def test_every_endpoint_has_a_golden_file():
    assert set(GOLDENS) == {
        "health",
        "charging_points_list",
        "charging_point_detail",
        "session_request",
        "session_current",
        "session_stop",
        "session_history",
        "favorites_list",
        "notifications_list",
        "alerts_list",
        "error_driver_not_found",
        "error_charging_point_not_found",
        "error_invalid_payload",
    }


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_golden_shape_matches_the_specification_example(name):
    golden = GOLDENS[name]

    assert all_keys(golden["shape"]) == all_keys(golden["spec_example"])
    assert shape_errors(golden["spec_example"], golden["shape"]) == []


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_live_response_matches_the_golden_shape(name, world, alice_client, anon_client, cp, request):
    golden = GOLDENS[name]

    response = live_response(name, alice_client, anon_client, world, cp, request)

    assert response.status_code == golden["status"], response.content
    assert (
        shape_errors(response.json(), golden["shape"], extra_keys_allowed=golden.get("extra_keys_allowed", False)) == []
    )


def _spec_blocks() -> list[str]:
    return re.findall(r"```json\n(.*?)```", SPEC.read_text(encoding="utf-8"), flags=re.DOTALL)


def _parse_block(block: str):
    try:
        return json.loads(re.sub(r"\s*//[^\n]*", "", block))
    except json.JSONDecodeError:
        return None


@pytest.mark.skipif(not SPEC.exists(), reason="the specification document is not beside the repository")
@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_golden_example_is_the_documents_example(name):
    golden = GOLDENS[name]
    blocks = _spec_blocks()

    if golden["verbatim"]:
        assert golden["spec_example"] in [_parse_block(block) for block in blocks]
    else:
        [block] = [block for block in blocks if golden["spec_marker"] in block]
        assert set(re.findall(r'"(\w+)"\s*:', block)) <= all_keys(golden["spec_example"])
