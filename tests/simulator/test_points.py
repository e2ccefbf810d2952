"""The simulator's points agree with the dashboard's charging-point table (power and price)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from central.gateway.messages import DriverRequest, StopRequest
from simulator.central import CentralSim, ListEmitter
from simulator.engines import PointSpec
from simulator.runner import points_from_file, points_from_table
from tests.factories import ChargingPointFactory


def test_points_come_from_the_charging_point_table(db):
    ChargingPointFactory(cp_id="CP-B", power_kw=22.0, price_eur_per_kwh=Decimal("0.3000"), city="Boston")
    ChargingPointFactory(cp_id="CP-A", power_kw=150.0, price_eur_per_kwh=Decimal("0.5500"), city="Springfield")
    assert points_from_table() == [
        PointSpec(cp_id="CP-A", power_kw=150.0, price_eur_per_kwh=0.55, city="Springfield"),
        PointSpec(cp_id="CP-B", power_kw=22.0, price_eur_per_kwh=0.30, city="Boston"),
    ]


def test_points_come_from_a_csv_file(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("cp_id,power_kw,price_eur_per_kwh,city\nCP-X,11,0.25,Lyon\n")
    assert points_from_file(path) == [PointSpec(cp_id="CP-X", power_kw=11.0, price_eur_per_kwh=0.25, city="Lyon")]


def test_meter_follows_power_and_price():
    """kwh += kw·Δt/3600 and euros = kwh·price, one reading per telemetry; the ticket carries the totals."""
    clock = {"now": datetime(2026, 11, 23, 12, 0, tzinfo=UTC)}
    emitter = ListEmitter()
    central = CentralSim(
        [PointSpec(cp_id="CP-1", power_kw=36.0, price_eur_per_kwh=0.5)], emitter, clock=lambda: clock["now"]
    )
    central.handle_request(DriverRequest(request_id="req-00000001", driver_id="driver-x", cp_id="CP-1"))
    for _ in range(10):
        clock["now"] += timedelta(seconds=1)
        central.tick()
    assert [u.status for u in emitter.updates] == ["accepted"] + ["in_progress"] * 10
    telemetry = central.status()["charging_points"][0]["telemetry"]
    assert telemetry["kwh"] == 0.1  # 36 kW for 10 s
    assert telemetry["euros"] == 0.05
    session_id = emitter.updates[0].session_id
    status, _ = central.stop_session(StopRequest(cp_id="CP-1", driver_id="driver-x", session_id=session_id))
    assert status == 200
    central.tick()
    assert [ticket.to_wire() for ticket in emitter.tickets] == [
        {
            "cp_id": "CP-1",
            "session_id": session_id,
            "driver_id": "driver-x",
            "start_time": "2026-11-23T12:00:00Z",
            "end_time": "2026-11-23T12:00:10Z",
            "energy_kwh": 0.1,
            "total_cost_eur": 0.05,
            "ts": "2026-11-23T12:00:10Z",
        }
    ]
    assert emitter.updates[-1].status == "completed"
    assert emitter.updates[-1].reason == "Session completed: 0.10 kWh, €0.05"
    assert emitter.updates[-2].reason == "Charging: 36.0 kW, €0.05"
