import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from chargingpoints.models import ChargingPoint, ConnectorType
from chargingpoints.services import DEFAULT_NETWORK_FILE

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(ChargingPoint.objects.order_by("cp_id").values())


def test_default_network_has_a_varied_network():
    call_command("seed_charging_points")
    points = ChargingPoint.objects.all()
    assert points.count() >= 10
    assert len({p.city for p in points}) >= 4
    assert {p.connector_type for p in points} == set(ConnectorType.values)
    assert min(p.power_kw for p in points) >= 7 and max(p.power_kw for p in points) <= 150
    assert all(p.amenities and p.price_eur_per_kwh > 0 for p in points)
    downtown = ChargingPoint.objects.get(cp_id="CP-001")
    assert (downtown.name, downtown.city, downtown.connector_type) == ("Downtown Fast Charger", "Springfield", "CCS")


def test_seeding_twice_changes_nothing(capsys):
    call_command("seed_charging_points")
    before = _snapshot()
    call_command("seed_charging_points")
    assert _snapshot() == before
    assert f"0 created, 0 updated, {len(before)} unchanged" in capsys.readouterr().out


def _edited_network(tmp_path):
    rows = json.loads(DEFAULT_NETWORK_FILE.read_text())
    rows[0]["price_eur_per_kwh"] = "0.99"
    rows[0]["amenities"] = ["WiFi"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(rows))
    return rows, edited


def test_reseeding_keeps_an_operators_edits(capsys):
    """`make run` seeds on every start: what an operator changed in the admin must survive it."""
    call_command("seed_charging_points")
    ChargingPoint.objects.filter(cp_id="CP-001").update(
        name="Downtown (real central)", power_kw=22, price_eur_per_kwh=Decimal("0.30")
    )
    capsys.readouterr()
    call_command("seed_charging_points")
    point = ChargingPoint.objects.get(cp_id="CP-001")
    assert (point.name, point.power_kw, point.price_eur_per_kwh) == ("Downtown (real central)", 22.0, Decimal("0.30"))
    out = capsys.readouterr().out
    assert "0 created, 0 updated" in out
    assert "1 existing point(s) differ from the file and were left as stored (CP-001)" in out
    assert "--update" in out


def test_reseeding_creates_only_the_missing_points():
    call_command("seed_charging_points")
    ChargingPoint.objects.filter(cp_id="CP-001").update(price_eur_per_kwh=Decimal("0.30"))
    ChargingPoint.objects.filter(cp_id="CP-002").delete()
    call_command("seed_charging_points")
    assert ChargingPoint.objects.filter(cp_id="CP-002").exists()
    assert ChargingPoint.objects.get(cp_id="CP-001").price_eur_per_kwh == Decimal("0.30")


def test_edited_file_does_not_overwrite_existing_rows_without_update(tmp_path):
    call_command("seed_charging_points")
    before = _snapshot()
    _rows, edited = _edited_network(tmp_path)
    call_command("seed_charging_points", str(edited))
    assert _snapshot() == before


def test_update_option_overwrites_existing_rows_from_the_file(tmp_path, capsys):
    call_command("seed_charging_points")
    rows, edited = _edited_network(tmp_path)
    call_command("seed_charging_points", str(edited), "--update")
    point = ChargingPoint.objects.get(cp_id=rows[0]["cp_id"])
    assert point.price_eur_per_kwh == Decimal("0.9900")
    assert point.amenities == ["WiFi"]
    assert ChargingPoint.objects.count() == len(rows)
    assert f"0 created, 1 updated, {len(rows) - 1} unchanged" in capsys.readouterr().out


def test_csv_file_import(tmp_path):
    csv_file = tmp_path / "points.csv"
    csv_file.write_text(
        "cp_id,name,address,city,latitude,longitude,connector_type,power_kw,price_eur_per_kwh,amenities\n"
        "CP-100,Lisbon Plaza,Praça do Comércio,Lisbon,38.7077,-9.1365,type 2,22,0.31,WiFi;Restroom\n"
        "CP-101,Porto Ribeira,Cais da Ribeira,Porto,41.1406,-8.6110,CHAdeMO,50,0.44,\n"
    )
    call_command("seed_charging_points", str(csv_file))
    lisbon = ChargingPoint.objects.get(cp_id="CP-100")
    assert (lisbon.connector_type, lisbon.power_kw, lisbon.amenities) == ("Type 2", 22.0, ["WiFi", "Restroom"])
    assert ChargingPoint.objects.get(cp_id="CP-101").amenities == []


@pytest.mark.parametrize(
    "content,message",
    [
        ("not json", "not valid JSON"),
        ('{"cp_id": "CP-1"}', "JSON list"),
        (
            '[{"cp_id": "CP-200", "name": "Ok", "city": "X", "latitude": 1, "longitude": 1, "connector_type": "CCS",'
            ' "power_kw": 50, "price_eur_per_kwh": 0.4}, {"cp_id": "CP-201", "name": "Bad", "city": "X",'
            ' "latitude": 1, "longitude": 1, "connector_type": "Tesla", "power_kw": 50, "price_eur_per_kwh": 0.4}]',
            "row 2 (CP-201): connector_type 'Tesla'",
        ),
        (
            '[{"cp_id": "CP-202", "name": "Bad", "city": "X", "latitude": 95, "longitude": 1,'
            ' "connector_type": "CCS", "power_kw": 50, "price_eur_per_kwh": 0.4}]',
            "latitude 95.0 is out of range",
        ),
        ('[{"name": "No id"}]', "cp_id is missing"),
    ],
)
def test_bad_file_gives_a_clear_error_and_writes_nothing(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(CommandError) as excinfo:
        call_command("seed_charging_points", str(bad))
    assert message in str(excinfo.value)
    assert "Nothing was imported" in str(excinfo.value)
    assert ChargingPoint.objects.count() == 0


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("seed_charging_points", str(tmp_path / "nope.json"))
