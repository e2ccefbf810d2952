"""central_picture_apply writes only what changed, one statement per batch of points (not one per point)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from central.sync.poll import central_picture_apply
from chargingpoints.models import ChargingPoint, PointStatus
from chargingpoints.services import LIVE_BATCH_SIZE
from sessions_app.models import ChargingSession
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory, ChargingSessionFactory
from tests.fakes.central_http import central_cp

pytestmark = pytest.mark.django_db

POINTS_TABLE = ChargingPoint._meta.db_table
CHARGING = {"engine_state": "SUPPLYING", "current_driver": "driver-bob", "current_session": "session-1"}


def updates(queries, table: str = "") -> list[str]:
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE") and table in q["sql"].split()[1]
    ]


@pytest.fixture
def network():
    """Twenty FREE points, the first CHARGING a session whose energy is central's last telemetry."""
    points = [ChargingPointFactory(cp_id=f"CP-{i:03d}", status=PointStatus.OFFLINE) for i in range(20)]
    session = ChargingSessionFactory(
        charging_point=points[0], status=SessionStatus.CHARGING, session_id="session-1", energy_kwh=Decimal("1.5")
    )
    return points, session


def picture(**changed) -> list[dict]:
    """Central's list: CP-000 charging (1.5 kWh), the rest idle; `changed` overrides items by cp_id."""
    items = []
    for i in range(20):
        cp_id = f"CP-{i:03d}"
        item = central_cp(cp_id, **CHARGING) if i == 0 else central_cp(cp_id)
        if i == 0:
            item["telemetry"] = {"kw": 22.0, "kwh": 1.5, "euros": 0.6, "session_id": "session-1"}
        item.update(changed.get(cp_id, {}))
        items.append(item)
    return items


def test_a_picture_that_changed_nothing_writes_nothing(network):
    central_picture_apply(picture())
    before = {p.cp_id: (p.status_changed_at, p.updated_at, p.last_updated) for p in ChargingPoint.objects.all()}

    with CaptureQueriesContext(connection) as queries:
        summary = central_picture_apply(picture())

    assert updates(queries) == []
    assert summary == {"reported": 20, "changed": 0, "offline": 0}
    after = {p.cp_id: (p.status_changed_at, p.updated_at, p.last_updated) for p in ChargingPoint.objects.all()}
    assert after == before


def test_n_changed_points_are_written_by_one_statement(network):
    points, _ = network
    central_picture_apply(picture())
    first = {p.cp_id: p for p in ChargingPoint.objects.all()}
    later = timezone.now() + timedelta(seconds=1)
    changed = {f"CP-{i:03d}": {"state": "BROKEN"} for i in range(5, 15)}  # FREE -> OFFLINE
    changed.update({f"CP-{i:03d}": {"engine_state": "STOPPED"} for i in range(15, 18)})  # still FREE

    with CaptureQueriesContext(connection) as queries:
        summary = central_picture_apply(picture(**changed), now=later)

    assert len(updates(queries, POINTS_TABLE)) == 1
    assert summary["changed"] == 13
    stored = {p.cp_id: p for p in ChargingPoint.objects.all()}
    for i in range(5, 15):
        point = stored[f"CP-{i:03d}"]
        assert (point.status, point.central_state, point.status_changed_at) == (PointStatus.OFFLINE, "BROKEN", later)
        assert point.last_updated == later
    for i in range(15, 18):
        point = stored[f"CP-{i:03d}"]
        assert (point.status, point.central_engine_state) == (PointStatus.FREE, "STOPPED")
        assert point.status_changed_at == first[point.cp_id].status_changed_at  # the status did not change
        assert point.last_updated == later
    for i in (1, 2, 18, 19):
        assert stored[f"CP-{i:03d}"].updated_at == first[f"CP-{i:03d}"].updated_at


def test_more_points_than_a_batch_take_one_statement_per_batch(db):
    count = LIVE_BATCH_SIZE + 5
    ChargingPoint.objects.bulk_create(
        ChargingPointFactory.build(cp_id=f"CP-{i:05d}", status=PointStatus.OFFLINE) for i in range(count)
    )

    with CaptureQueriesContext(connection) as queries:
        summary = central_picture_apply([central_cp(f"CP-{i:05d}") for i in range(count)])

    assert summary["changed"] == count
    assert len(updates(queries, POINTS_TABLE)) == 2
    assert ChargingPoint.objects.filter(status=PointStatus.FREE).count() == count


def test_status_changed_at_is_kept_when_the_stored_status_already_is_the_new_one(network):
    """The CASE looks at the stored row, not at the one read before: a status written meanwhile (here, by
    hand after the read) counts as the status the point already has."""
    points, _ = network
    central_picture_apply(picture())
    ChargingPoint.objects.filter(cp_id="CP-007").update(status=PointStatus.OFFLINE)
    kept = ChargingPoint.objects.get(cp_id="CP-007").status_changed_at

    central_picture_apply(picture(**{"CP-007": {"state": "BROKEN"}}), now=timezone.now() + timedelta(seconds=1))

    point = ChargingPoint.objects.get(cp_id="CP-007")
    assert (point.status, point.central_state, point.status_changed_at) == (PointStatus.OFFLINE, "BROKEN", kept)


def test_last_updated_of_unchanged_points_is_refreshed_once_a_third_of_the_stale_time_passed(network, settings):
    settings.CP_STALE_AFTER = 30.0
    start = timezone.now()
    central_picture_apply(picture(), now=start)

    with CaptureQueriesContext(connection) as soon:
        central_picture_apply(picture(), now=start + timedelta(seconds=9))
    with CaptureQueriesContext(connection) as later:
        central_picture_apply(picture(), now=start + timedelta(seconds=11))

    assert updates(soon) == []
    assert len(updates(later, POINTS_TABLE)) == 1
    assert set(ChargingPoint.objects.values_list("last_updated", flat=True)) == {start + timedelta(seconds=11)}


def test_telemetry_ahead_of_the_session_moves_it_and_nothing_else_is_written(network):
    _, session = network
    central_picture_apply(picture())
    ahead = {"telemetry": {"kw": 22.0, "kwh": 2.25, "euros": 0.9, "session_id": "session-1"}}

    with CaptureQueriesContext(connection) as queries:
        central_picture_apply(picture(**{"CP-000": ahead}))

    assert len(updates(queries, ChargingSession._meta.db_table)) == 1
    session.refresh_from_db()
    assert (session.energy_kwh, session.cost_eur) == (Decimal("2.2500"), Decimal("0.9000"))
    # Backwards telemetry (an older reading) is not applied.
    behind = {"telemetry": {"kw": 22.0, "kwh": 2.0, "euros": 0.8, "session_id": "session-1"}}
    central_picture_apply(picture(**{"CP-000": behind}))
    session.refresh_from_db()
    assert session.energy_kwh == Decimal("2.2500")


def test_unreported_points_still_go_offline(network):
    central_picture_apply(picture())

    summary = central_picture_apply([item for item in picture() if item["cp_id"] != "CP-019"])

    assert summary["offline"] == 1
    assert ChargingPoint.objects.get(cp_id="CP-019").status == PointStatus.OFFLINE
