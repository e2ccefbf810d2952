"""Apply central's `GET /cp` picture to the charging points (the poll), and record how the poll goes."""

import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from central.gateway.http import central_fetch_status
from central.models import CentralSyncState
from central.sync.alerts import drivers_alert_central_outage, pending_requests_alert_offline_points
from central.sync.demand import central_work_record
from central.sync.silence import sessions_check_silence
from central.sync.watches import watchers_notify_free_points
from chargingpoints.models import ChargingPoint, PointStatus
from chargingpoints.services import (
    LIVE_FIELDS,
    LiveChange,
    charging_point_mark_offline,
    charging_points_mark_stale_offline,
    charging_points_update_live,
)
from common.datetimes import parse_datetime_utc
from common.errors import CentralUnavailable
from drivers.models import Watch
from notifications.models import BroadcastAlert
from notifications.services import broadcast_alert_upsert_from_central
from sessions_app.models import ChargingSession
from sessions_app.services.queue import queue_dispatch_head, queues_with_waiting
from sessions_app.services.telemetry import session_apply_telemetry
from sessions_app.status import OPEN_STATUSES, SessionStatus

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


def charging_point_status_from_central(item: dict) -> str:
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
        "status": charging_point_status_from_central(item),
        "central_state": str(item.get("state") or "")[:32],
        "central_engine_state": str(item.get("engine_state") or "")[:32],
        "central_session_id": str(item.get("current_session") or "")[:64],
        "central_driver_id": str(item.get("current_driver") or "")[:64],
        "telemetry_kw": _number(telemetry.get("kw")),
        "telemetry_kwh": _number(telemetry.get("kwh")),
        "telemetry_eur": _number(telemetry.get("euros")),
        "telemetry_session_id": str(telemetry.get("session_id") or "")[:64],
    }


def central_picture_apply(items: list, *, now=None) -> dict:
    """Update every known point from one `charging_points` list; unreported points become OFFLINE.

    Only what changed is written: the points whose live fields changed in one UPDATE per batch
    (`charging_points_update_live`; `status_changed_at` moves only when the stored status really changes),
    and `last_updated` of the unchanged ones only once it is older than a third of CP_STALE_AFTER, so a
    picture that changed nothing writes nothing. Energy and cost of the CHARGING session a point's
    telemetry names follow it (never backwards), written only for sessions behind it. Returns counts for
    the log. Called by the poll inside its transaction, after `_central_poll_result_is_newest`.
    """
    now = now or timezone.now()
    refresh_before = now - timedelta(seconds=settings.CP_STALE_AFTER / 3)
    # Tuples, not model instances: 10,000 points are read on every poll.
    stored = {
        row[1]: row
        for row in ChargingPoint.objects.annotate(
            stale=ExpressionWrapper(
                Q(last_updated__isnull=True) | Q(last_updated__lt=refresh_before), output_field=BooleanField()
            )
        ).values_list("pk", "cp_id", "stale", *LIVE_FIELDS)
    }
    status_at = 3 + LIVE_FIELDS.index("status")
    seen: set[str] = set()
    changes: list[LiveChange] = []
    telemetry: dict[tuple[int, str], dict] = {}
    to_refresh: list[int] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("cp_id"), str):
            continue
        row = stored.get(item["cp_id"])
        if row is None or row[1] in seen:
            continue
        seen.add(row[1])
        fields = _live_fields(item)
        if tuple(fields[name] for name in LIVE_FIELDS) != row[3:]:
            changes.append(LiveChange(pk=row[0], cp_id=row[1], status_before=row[status_at], fields=fields))
        elif row[2]:
            to_refresh.append(row[0])
        if fields["telemetry_session_id"] and fields["telemetry_kwh"] is not None:
            telemetry[(row[0], fields["telemetry_session_id"])] = fields
    unreported = [
        row[0] for cp_id, row in stored.items() if cp_id not in seen and row[status_at] != PointStatus.OFFLINE
    ]
    with transaction.atomic():
        changed = charging_points_update_live(changes, now)
        if to_refresh:
            ChargingPoint.objects.filter(pk__in=to_refresh).update(last_updated=now)
        _sessions_follow_telemetry(telemetry)
        offline = 0
        for point in ChargingPoint.objects.filter(pk__in=unreported) if unreported else ():
            offline += charging_point_mark_offline(point, now=now, reason="NOT_REPORTED")
    return {"reported": len(seen), "changed": changed, "offline": offline}


def _sessions_follow_telemetry(telemetry: dict[tuple[int, str], dict]) -> None:
    """Hand the telemetry to the CHARGING sessions it names whose figures are behind it (one read for all;
    a session already at the reported energy costs no statement)."""
    if not telemetry:
        return
    open_sessions = ChargingSession.objects.filter(
        status=SessionStatus.CHARGING,
        ticket_received_at__isnull=True,
        session_id__in={session_id for _, session_id in telemetry},
    ).values_list("charging_point_id", "session_id", "energy_kwh")
    for cp_pk, session_id, energy in open_sessions:
        fields = telemetry.get((cp_pk, session_id))
        if fields is None or not _ahead_of(fields["telemetry_kwh"], energy):
            continue
        session_apply_telemetry(
            cp_pk=cp_pk, telemetry_session_id=session_id, kwh=fields["telemetry_kwh"], euros=fields["telemetry_eur"]
        )


def _ahead_of(kwh: float, stored: Decimal | None) -> bool:
    try:
        reported = Decimal(str(kwh)).quantize(Decimal("0.0001"))
    except InvalidOperation:
        return False
    return stored is None or reported > stored


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


def central_poll_claim() -> int | None:
    """Claim the poll lease for CENTRAL_POLL_LEASE_SECONDS: this poll's number, or None while another
    poll (any worker, any host) holds it.

    A conditional UPDATE of the CentralSyncState row, so it works alike on PostgreSQL and SQLite; the
    lease runs out by itself, so a poller that crashed blocks the others only that long. The number
    grows with each claim: a larger one fetched later (see `_central_poll_result_is_newest`).
    """
    CentralSyncState.load()
    now = timezone.now()  # the lease follows the clock, never a `now` a caller made up
    with transaction.atomic():
        claimed = (
            CentralSyncState.objects.filter(singleton=1)
            .filter(Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lte=now))
            .update(
                poll_number=F("poll_number") + 1,
                poll_lease_until=now + timedelta(seconds=settings.CENTRAL_POLL_LEASE_SECONDS),
            )
        )
        if not claimed:
            return None
        return CentralSyncState.objects.values_list("poll_number", flat=True).get(singleton=1)


def central_poll_release(number: int) -> None:
    """Give the lease back, unless it ran out and a later poll holds it now."""
    CentralSyncState.objects.filter(singleton=1, poll_number=number).update(poll_lease_until=None)


def _central_poll_result_is_newest(number: int) -> bool:
    """Inside the poll's transaction: mark poll `number`'s result as the one applied, unless a later
    poll's result already was (a poll that outlived its lease). The row stays locked until commit,
    so two results are never applied at once."""
    return bool(
        CentralSyncState.objects.filter(singleton=1, applied_poll_number__lt=number).update(applied_poll_number=number)
    )


def central_sync_record_success(*, now=None):
    """Central answered: the outage, if any, is over.

    Returns the start of the outage that just ended when drivers were told about it (so they are told
    it is over), else None. Call inside the poll's transaction.
    """
    now = now or timezone.now()
    CentralSyncState.load()
    state = CentralSyncState.objects.select_for_update().get(singleton=1)
    CentralSyncState.objects.filter(singleton=1).update(
        last_attempt_at=now, last_success_at=now, unreachable_since=None, outage_alerted_at=None, last_error=""
    )
    if state.unreachable_since is None:
        return None
    logger.info("central reachable again (unreachable since %s)", state.unreachable_since)
    return state.unreachable_since if state.outage_alerted_at else None


def central_sync_record_failure(error: str, *, now=None):
    """Central did not answer. `unreachable_since` is the first failure of the run (for /sync-status).

    Returns the start of the outage when drivers are to be told now: once per outage, only after every
    poll failed for CENTRAL_OUTAGE_ALERT_AFTER_SECONDS (a blip tells no one). Else None. Call inside
    the poll's transaction.
    """
    now = now or timezone.now()
    CentralSyncState.load()
    state = CentralSyncState.objects.select_for_update().get(singleton=1)
    since = state.unreachable_since or now
    if state.unreachable_since is None:
        logger.warning("central unreachable: %s", error)
    alert = state.outage_alerted_at is None and now - since >= timedelta(
        seconds=settings.CENTRAL_OUTAGE_ALERT_AFTER_SECONDS
    )
    CentralSyncState.objects.filter(singleton=1).update(
        last_attempt_at=now,
        last_error=error[:2000],
        unreachable_since=since,
        outage_alerted_at=now if alert else state.outage_alerted_at,
    )
    return since if alert else None


def central_poll_once(*, now=None) -> dict:
    """One poll: GET /cp, apply points, telemetry and system events, tell the drivers watching points that
    are FREE now, then the session checks.

    One poll runs at a time across all workers and hosts (`central_poll_claim`): a poll that finds
    one running returns `{"skipped": True, ...}` without asking central; a result older than one
    already applied (its poll outlived the lease) is dropped the same way.
    Central unreachable: the last picture is kept (points the poll has not seen for CP_STALE_AFTER
    go OFFLINE), the sync state says since when, and drivers with an open session get one ALERT per
    outage; sessions are not failed for silence while central cannot be asked.
    """
    number = central_poll_claim()
    if number is None:
        logger.debug("poll of central skipped: another poll is running")
        return {"skipped": True, "reason": "another poll is running"}
    try:
        return _central_poll(number, now=now or timezone.now())
    finally:
        central_poll_release(number)


def _central_poll(number: int, *, now) -> dict:
    try:
        picture = central_fetch_status()
    except CentralUnavailable as exc:
        with transaction.atomic():
            if not _central_poll_result_is_newest(number):
                return _older_result_dropped(number)
            outage_started = central_sync_record_failure(str(exc.detail), now=now)
            if outage_started:
                drivers_alert_central_outage(since=outage_started, back=False)
            stale = charging_points_mark_stale_offline(now=now)
        if stale:
            pending_requests_alert_offline_points()
        central_work_record(pending=True)  # the outage needs following up
        return {"reachable": False, "stale": stale}
    with transaction.atomic():
        if not _central_poll_result_is_newest(number):
            return _older_result_dropped(number)
        summary = central_picture_apply(picture["charging_points"], now=now)
        summary["watchers_notified"] = watchers_notify_free_points(now=now)
        events = picture.get("system_events")
        summary["alerts"] = central_system_events_apply(events if isinstance(events, list) else [])
        outage_since = central_sync_record_success(now=now)
        if outage_since:
            drivers_alert_central_outage(since=outage_since, back=True)
    summary["failed_sessions"] = sessions_check_silence(now=now)
    summary["offline_alerts"] = pending_requests_alert_offline_points()
    # A point that turned FREE sends the head of its waiting list to central.
    summary["queue_sent"] = sum(
        queue_dispatch_head(point_pk, now=now) is not None for point_pk in queues_with_waiting()
    )
    # Whether the next poll comes at full pace or at the idle one (central/sync/demand.py).
    summary["work_pending"] = central_work_pending(now=now)
    central_work_record(summary["work_pending"])
    return {"reachable": True, **summary}


def central_work_pending(*, now=None) -> bool:
    """Has a reachable central's poll follow-up work, so that it must keep its full pace (central/sync/demand.py)?
    An open session or request (silence checks, telemetry, time-outs, the queue's dispatch), a stop central is still
    owed, or an active watch. Two EXISTS queries on indexed columns."""
    now = now or timezone.now()
    if ChargingSession.objects.filter(Q(status__in=OPEN_STATUSES) | Q(central_stop_pending=True)).exists():
        return True
    return Watch.objects.filter(ended_at__isnull=True, expires_at__gt=now).exists()


def _older_result_dropped(number: int) -> dict:
    logger.info("poll %s of central finished after a later one: its result is dropped", number)
    return {"skipped": True, "reason": "a newer picture was already applied"}
