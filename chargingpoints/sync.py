"""Apply central's `GET /cp` picture to the charging points (the poll), and record how the poll goes."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chargingpoints.models import CentralSyncState, ChargingPoint, PointStatus
from notifications.models import BroadcastAlert
from notifications.services import broadcast_alert_upsert_from_central
from sessions_app.protocol import parse_datetime_utc

logger = logging.getLogger(__name__)

OFFLINE_DISPLAY_STATES = frozenset(
    {"DISCONNECTED", "BROKEN", "TURNED_OFF_WEATHER", "ENCRYPTION_ERROR", "REVOKED", "OUT_OF_SERVICE"}
)
ALERT_EVENT_SEVERITY = {
    "FAILURE": BroadcastAlert.Severity.CRITICAL,
    "SECURITY_ALERT": BroadcastAlert.Severity.CRITICAL,
    "RESTORATION": BroadcastAlert.Severity.INFO,
}
ALERT_EVENT_TITLE = {"FAILURE": "Failure", "SECURITY_ALERT": "Security alert", "RESTORATION": "Restored"}


def chargingpoint_status_from_central(item: dict) -> str:
    """The protocol's mapping; the first rule that matches wins."""
    if item.get("state") in OFFLINE_DISPLAY_STATES or (item.get("communication_status") or "OK") != "OK":
        return PointStatus.OFFLINE
    if item.get("engine_state") == "SUPPLYING" or item.get("current_driver"):
        return PointStatus.OCCUPIED
    return PointStatus.FREE


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _live_fields(item: dict) -> dict:
    telemetry = item.get("telemetry") if isinstance(item.get("telemetry"), dict) else {}
    return {
        "status": chargingpoint_status_from_central(item),
        "central_state": str(item.get("state") or "")[:32],
        "central_engine_state": str(item.get("engine_state") or "")[:32],
        "central_session_id": str(item.get("current_session") or "")[:64],
        "central_driver_id": str(item.get("current_driver") or "")[:64],
        "telemetry_kw": _number(telemetry.get("kw")),
        "telemetry_kwh": _number(telemetry.get("kwh")),
        "telemetry_eur": _number(telemetry.get("euros")),
        "telemetry_session_id": str(telemetry.get("session_id") or "")[:64],
    }


def chargingpoints_apply_central_picture(items: list, *, now=None) -> dict:
    """Update every known point from one `charging_points` list; unreported points become OFFLINE.

    Writes only the points whose live fields changed (one UPDATE for the rest's `last_updated`);
    `status_changed_at` moves only when the status does. Energy and cost of the CHARGING session a
    point's telemetry names follow it (never backwards). Returns counts for the log.
    """
    from sessions_app.services.central_sync import session_apply_telemetry

    now = now or timezone.now()
    points = {point.cp_id: point for point in ChargingPoint.objects.all()}
    seen: set[str] = set()
    changed = 0
    with transaction.atomic():
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("cp_id"), str):
                continue
            point = points.get(item["cp_id"])
            if point is None or point.cp_id in seen:
                continue
            seen.add(point.cp_id)
            fields = _live_fields(item)
            if _write_if_changed(point, fields, now):
                changed += 1
            if fields["telemetry_session_id"] and fields["telemetry_kwh"] is not None:
                session_apply_telemetry(
                    cp_pk=point.pk,
                    telemetry_session_id=fields["telemetry_session_id"],
                    kwh=fields["telemetry_kwh"],
                    euros=fields["telemetry_eur"],
                )
        ChargingPoint.objects.filter(cp_id__in=seen).update(last_updated=now)
        offline = 0
        for point in points.values():
            if point.cp_id not in seen and point.status != PointStatus.OFFLINE:
                offline += chargingpoint_mark_offline(point, now=now, reason="NOT_REPORTED")
    return {"reported": len(seen), "changed": changed, "offline": offline}


def _write_if_changed(point: ChargingPoint, fields: dict, now) -> bool:
    diff = {name: value for name, value in fields.items() if getattr(point, name) != value}
    if not diff:
        return False
    if "status" in diff:
        diff["status_changed_at"] = now
    ChargingPoint.objects.filter(pk=point.pk).update(**diff, updated_at=now)
    if "status" in diff:
        logger.info("point %s %s -> %s (%s)", point.cp_id, point.status, diff["status"], fields["central_state"])
    for name, value in diff.items():
        setattr(point, name, value)
    return True


def chargingpoint_mark_offline(point: ChargingPoint, *, now=None, reason: str = "") -> int:
    """OFFLINE, keeping the last raw picture; only a point not already OFFLINE changes (returns 1)."""
    now = now or timezone.now()
    updated = (
        ChargingPoint.objects.filter(pk=point.pk)
        .exclude(status=PointStatus.OFFLINE)
        .update(status=PointStatus.OFFLINE, status_changed_at=now, updated_at=now)
    )
    if updated:
        logger.info("point %s %s -> OFFLINE (%s)", point.cp_id, point.status, reason)
        point.status, point.status_changed_at = PointStatus.OFFLINE, now
    return updated


def chargingpoints_mark_stale_offline(*, now=None) -> int:
    """Points the poll has not seen for CP_STALE_AFTER seconds (e.g. central unreachable) -> OFFLINE."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CP_STALE_AFTER)
    stale = ChargingPoint.objects.exclude(status=PointStatus.OFFLINE).filter(last_updated__lt=cutoff)
    return sum(chargingpoint_mark_offline(point, now=now, reason="STALE") for point in stale)


def central_system_events_apply(events: list) -> int:
    """FAILURE / SECURITY_ALERT / RESTORATION events -> broadcast alerts, each stored once."""
    points = None
    created = 0
    for event in events:
        if not isinstance(event, dict) or event.get("type") not in ALERT_EVENT_SEVERITY:
            continue
        kind = event["type"]
        component = str(event.get("component") or "")
        stamp = str(event.get("timestamp") or "")
        try:
            effective_at = parse_datetime_utc(stamp) or timezone.now()
        except ValueError:
            effective_at = timezone.now()
        severity = ALERT_EVENT_SEVERITY[kind]
        if kind == "FAILURE" and str(event.get("severity") or "").upper() in ("WARNING", "INFO"):
            severity = BroadcastAlert.Severity.WARN
        if points is None:
            points = {point.cp_id: point for point in ChargingPoint.objects.all()}
        scope = [points[component]] if component in points else []
        title = f"{ALERT_EVENT_TITLE[kind]}: {component}" if component else ALERT_EVENT_TITLE[kind]
        _, new = broadcast_alert_upsert_from_central(
            source_key=f"central:{stamp}:{kind}:{component}"[:200],
            title=title,
            message=str(event.get("message") or title),
            severity=severity,
            effective_at=effective_at,
            charging_points=scope,
        )
        created += new
    return created


def central_sync_record_success(*, now=None):
    """Returns the start of the outage that just ended, or None."""
    now = now or timezone.now()
    state = CentralSyncState.load()
    since = state.unreachable_since
    CentralSyncState.objects.filter(pk=state.pk).update(
        last_attempt_at=now, last_success_at=now, unreachable_since=None, last_error=""
    )
    if since is not None:
        # Only the run that clears this outage reports its end.
        logger.info("central reachable again (unreachable since %s)", since)
    return since


def central_sync_record_failure(error: str, *, now=None):
    """Returns the start of a new outage (this failure), or None when it was already unreachable."""
    now = now or timezone.now()
    state = CentralSyncState.load()
    CentralSyncState.objects.filter(pk=state.pk).update(last_attempt_at=now, last_error=error[:2000])
    started = CentralSyncState.objects.filter(pk=state.pk, unreachable_since__isnull=True).update(unreachable_since=now)
    if started:
        logger.warning("central unreachable: %s", error)
        return now
    return None


def central_poll_once(*, now=None) -> dict:
    """One poll: GET /cp, apply points, telemetry and system events, then the session checks.

    Central unreachable: the last picture is kept (points the poll has not seen for CP_STALE_AFTER
    go OFFLINE), the sync state says since when, and drivers with an open session get one ALERT per
    outage; sessions are not failed for silence while central cannot be asked.
    """
    from config.exceptions import CentralUnavailable
    from sessions_app.central.client import central_fetch_status
    from sessions_app.services.central_sync import (
        drivers_alert_central_outage,
        pending_requests_alert_offline_points,
    )
    from sessions_app.services.timeouts import sessions_check_silence

    now = now or timezone.now()
    try:
        picture = central_fetch_status()
    except CentralUnavailable as exc:
        outage_started = central_sync_record_failure(str(exc.detail), now=now)
        if outage_started:
            drivers_alert_central_outage(since=outage_started, back=False)
        stale = chargingpoints_mark_stale_offline(now=now)
        if stale:
            pending_requests_alert_offline_points()
        return {"reachable": False, "stale": stale}
    summary = chargingpoints_apply_central_picture(picture["charging_points"], now=now)
    events = picture.get("system_events")
    summary["alerts"] = central_system_events_apply(events if isinstance(events, list) else [])
    outage_since = central_sync_record_success(now=now)
    if outage_since:
        drivers_alert_central_outage(since=outage_since, back=True)
    summary["failed_sessions"] = sessions_check_silence(now=now)
    summary["offline_alerts"] = pending_requests_alert_offline_points()
    return {"reachable": True, **summary}
