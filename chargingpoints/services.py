"""Writes on charging points: operator data (import), and the live fields that central's poll reports."""

import csv
import dataclasses
import io
import json
import logging
import math
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from chargingpoints.models import ChargingPoint, ConnectorType, PointStatus
from events.publish import events_publish_keys_on_commit

logger = logging.getLogger(__name__)

DEFAULT_NETWORK_FILE = Path(__file__).resolve().parent / "data" / "default_network.json"
STATIC_FIELDS = (
    "name",
    "address",
    "city",
    "latitude",
    "longitude",
    "connector_type",
    "power_kw",
    "price_eur_per_kwh",
    "amenities",
)


class ChargingPointImportError(ValueError):
    """The file cannot be imported; the message names the row and field. Nothing was written."""


@dataclasses.dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Existing points that differ from the file and were left as they are (no `update_existing`).
    kept: list[str] = dataclasses.field(default_factory=list)


def charging_points_read_file(path: Path) -> list[dict]:
    """Read a JSON list or a CSV file (amenities separated by ';') into raw rows."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ChargingPointImportError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if str(path).lower().endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
        for row in rows:
            row["amenities"] = [a.strip() for a in (row.get("amenities") or "").split(";") if a.strip()]
        return rows
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ChargingPointImportError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise ChargingPointImportError(f"{path} must hold a JSON list of charging points")
    return data


def _clean_row(index: int, raw) -> dict:
    where = f"row {index + 1}"
    if not isinstance(raw, dict):
        raise ChargingPointImportError(f"{where}: expected an object with the charging point's fields")
    cp_id = str(raw.get("cp_id") or "").strip()
    if not cp_id:
        raise ChargingPointImportError(f"{where}: cp_id is missing")
    where = f"row {index + 1} ({cp_id})"

    def number(field, low=None, high=None, positive=False):
        try:
            value = float(raw.get(field))
        except (TypeError, ValueError):
            raise ChargingPointImportError(f"{where}: {field} must be a number, got {raw.get(field)!r}") from None
        if not math.isfinite(value):
            raise ChargingPointImportError(f"{where}: {field} must be a finite number, got {raw.get(field)!r}")
        if (low is not None and value < low) or (high is not None and value > high) or (positive and value <= 0):
            raise ChargingPointImportError(f"{where}: {field} {value} is out of range")
        return value

    row = {"cp_id": cp_id}
    for field in ("name", "city"):
        row[field] = str(raw.get(field) or "").strip()
        if not row[field]:
            raise ChargingPointImportError(f"{where}: {field} is missing")
    row["address"] = str(raw.get("address") or "").strip()
    row["latitude"] = number("latitude", -90, 90)
    row["longitude"] = number("longitude", -180, 180)
    row["power_kw"] = number("power_kw", positive=True)
    try:
        row["price_eur_per_kwh"] = Decimal(str(raw.get("price_eur_per_kwh"))).quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError):
        raise ChargingPointImportError(
            f"{where}: price_eur_per_kwh must be a number, got {raw.get('price_eur_per_kwh')!r}"
        ) from None
    if not row["price_eur_per_kwh"].is_finite() or row["price_eur_per_kwh"] < 0:
        raise ChargingPointImportError(f"{where}: price_eur_per_kwh must be a finite number, not negative")
    connector = str(raw.get("connector_type") or "").strip()
    by_lower = {choice.lower(): choice for choice in ConnectorType.values}
    if connector.lower() not in by_lower:
        raise ChargingPointImportError(
            f"{where}: connector_type {connector!r} is not one of {', '.join(ConnectorType.values)}"
        )
    row["connector_type"] = by_lower[connector.lower()]
    amenities = raw.get("amenities") or []
    if not isinstance(amenities, list) or not all(isinstance(a, str) for a in amenities):
        raise ChargingPointImportError(f"{where}: amenities must be a list of strings")
    row["amenities"] = amenities
    return row


def charging_points_import(raw_rows: list, *, update_existing: bool = False) -> ImportResult:
    """Create the charging points of raw rows that do not exist yet, all or nothing.

    Every row is validated before anything is written; a bad row raises ChargingPointImportError
    naming it. An existing point is left as it is (an operator's edits in the admin survive every
    start) and listed in `kept` when the file differs; with `update_existing` its static fields are
    overwritten from the file instead. Live fields (status, telemetry) are never touched.
    """
    rows = [_clean_row(i, raw) for i, raw in enumerate(raw_rows)]
    seen = set()
    for row in rows:
        if row["cp_id"] in seen:
            raise ChargingPointImportError(f"cp_id {row['cp_id']} appears twice in the file")
        seen.add(row["cp_id"])

    result = ImportResult()
    with transaction.atomic():
        existing = {cp.cp_id: cp for cp in ChargingPoint.objects.select_for_update().filter(cp_id__in=seen)}
        for row in rows:
            point = existing.get(row["cp_id"])
            if point is None:
                ChargingPoint.objects.create(**row)
                result.created += 1
                continue
            changed = [f for f in STATIC_FIELDS if getattr(point, f) != row[f]]
            if not changed:
                result.unchanged += 1
                continue
            if not update_existing:
                result.kept.append(point.cp_id)
                continue
            for field in changed:
                setattr(point, field, row[field])
            point.save(update_fields=[*changed, "updated_at"])
            result.updated += 1
    logger.info(
        "charging points imported: %s created, %s updated, %s unchanged, %s kept as stored",
        result.created,
        result.updated,
        result.unchanged,
        len(result.kept),
    )
    return result


# --- Live fields (called by the poll of central) -----------------------------------------------------


LIVE_FIELDS = (
    "status",
    "central_state",
    "central_engine_state",
    "central_session_id",
    "central_driver_id",
    "telemetry_kw",
    "telemetry_kwh",
    "telemetry_eur",
    "telemetry_session_id",
)
_FLOAT_FIELDS = frozenset({"telemetry_kw", "telemetry_kwh", "telemetry_eur"})
# Points per UPDATE statement: 10 parameters each stays far below PostgreSQL's 65,535 and SQLite's 32,766.
LIVE_BATCH_SIZE = 1000


class LiveChange(NamedTuple):
    """A point whose live fields central reported differently: its new fields (all of LIVE_FIELDS)."""

    pk: int
    cp_id: str
    status_before: str
    fields: dict


def charging_points_update_live(changes: list[LiveChange], now) -> int:
    """Write the live fields of the points whose picture changed, with `last_updated` and `updated_at`: one
    `UPDATE … FROM (VALUES …)` per LIVE_BATCH_SIZE points, never one statement per point.

    `status_changed_at` moves only where the stored status (at the UPDATE, not as read earlier) differs
    from the new one: it keys the offline alerts. Works on PostgreSQL and on SQLite (3.33 or later).
    Returns the number of points written.
    """
    if not changes:
        return 0
    quote = connection.ops.quote_name
    table = quote(ChargingPoint._meta.db_table)
    # A VALUES list's columns are column1, column2, … on both PostgreSQL and SQLite; column1 is the pk.
    assignments = ", ".join(f"{quote(name)} = v.column{index}" for index, name in enumerate(LIVE_FIELDS, start=2))
    new_status = f"v.column{LIVE_FIELDS.index('status') + 2}"
    row = ", ".join(["%s"] + ["CAST(%s AS double precision)" if f in _FLOAT_FIELDS else "%s" for f in LIVE_FIELDS])
    stamp = connection.ops.adapt_datetimefield_value(now)
    written = 0
    with transaction.atomic():
        for start in range(0, len(changes), LIVE_BATCH_SIZE):
            batch = changes[start : start + LIVE_BATCH_SIZE]
            sql = (
                f"UPDATE {table} SET {assignments}, "
                f"{quote('status_changed_at')} = CASE WHEN {table}.{quote('status')} <> {new_status} "
                f"THEN %s ELSE {table}.{quote('status_changed_at')} END, "
                f"{quote('last_updated')} = %s, {quote('updated_at')} = %s "
                f"FROM (VALUES {', '.join(f'({row})' for _ in batch)}) AS v "
                f"WHERE {table}.{quote(ChargingPoint._meta.pk.column)} = v.column1"
            )
            params = [stamp, stamp, stamp]
            for change in batch:
                params.append(change.pk)
                params.extend(change.fields[name] for name in LIVE_FIELDS)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                written += cursor.rowcount
        # The page's `point` events: one per point whose status changed, all in one Redis pipeline after commit.
        events_publish_keys_on_commit(
            "point", [change.pk for change in changes if change.status_before != change.fields["status"]]
        )
    for change in changes:
        if change.status_before != change.fields["status"]:
            logger.info(
                "point %s %s -> %s (%s)",
                change.cp_id,
                change.status_before,
                change.fields["status"],
                change.fields["central_state"],
            )
    return written


def charging_point_mark_offline(point: ChargingPoint, *, now=None, reason: str = "", seen_before=None) -> int:
    """OFFLINE, keeping the last raw picture; only a point not already OFFLINE changes (returns 1).

    With `seen_before`, only while central last reported the point before then (checked in the same
    UPDATE, so a point a poll has just refreshed is left alone).
    """
    now = now or timezone.now()
    points = ChargingPoint.objects.filter(pk=point.pk).exclude(status=PointStatus.OFFLINE)
    if seen_before is not None:
        points = points.filter(last_updated__lt=seen_before)
    updated = points.update(status=PointStatus.OFFLINE, status_changed_at=now, updated_at=now)
    if updated:
        events_publish_keys_on_commit("point", [point.pk])
        logger.info("point %s %s -> OFFLINE (%s)", point.cp_id, point.status, reason)
        point.status, point.status_changed_at = PointStatus.OFFLINE, now
    return updated


def charging_points_mark_stale_offline(*, now=None) -> int:
    """Points the poll has not seen for CP_STALE_AFTER seconds (e.g. central unreachable) -> OFFLINE."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CP_STALE_AFTER)
    stale = ChargingPoint.objects.exclude(status=PointStatus.OFFLINE).filter(last_updated__lt=cutoff)
    return sum(charging_point_mark_offline(point, now=now, reason="STALE", seen_before=cutoff) for point in stale)
