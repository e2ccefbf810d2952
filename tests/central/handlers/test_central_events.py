"""Applying central's DriverUpdate and SessionTicket: every event delivered twice, one effect."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction

from central.gateway.messages import PoisonMessage
from central.sync.updates import APPLIED, NOOP, UNMATCHED, central_event_apply
from central.sync.updates import central_event_decode as decode_central_event
from notifications.models import Notification
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.services.lifecycle import session_cancel, session_request
from sessions_app.services.transitions import session_transition
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory, ChargingSessionFactory

pytestmark = pytest.mark.django_db


def deliver(topic_kind: str, message: dict) -> str:
    topic = settings.KAFKA_TOPIC_UPDATES if topic_kind == "update" else settings.KAFKA_TOPIC_TICKETS
    event = decode_central_event(topic, json.dumps(message).encode())
    with transaction.atomic():
        return central_event_apply(event)


def update(session, status, *, session_id=None, reason="", request_id=None, cp_id=None, driver_id=None) -> dict:
    return {
        "request_id": request_id or session.request_id,
        "driver_id": driver_id or session.driver.driver_id,
        "cp_id": cp_id or session.charging_point.cp_id,
        "status": status,
        "reason": reason,
        "session_id": session_id,
        "ts": "2026-11-23T21:57:06.270015Z",
    }


def ticket(session, *, session_id, kwh=1.5, eur=0.63) -> dict:
    return {
        "cp_id": session.charging_point.cp_id,
        "session_id": session_id,
        "driver_id": session.driver.driver_id,
        "start_time": "2026-11-23T21:00:00Z",
        "end_time": "2026-11-23T21:30:00+00:00",
        "energy_kwh": kwh,
        "total_cost_eur": eur,
        "ts": "2026-11-23T21:30:01Z",
    }


@pytest.fixture
def pending(alice, cp):
    return session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")


def reload(session) -> ChargingSession:
    return ChargingSession.objects.get(pk=session.pk)


def transitions(session) -> list[tuple[str, str]]:
    return list(SessionTransition.objects.filter(session=session).values_list("from_status", "to_status"))


def notes(session, type_=Notification.Type.SESSION) -> list[str]:
    return list(Notification.objects.filter(session=session, type=type_).values_list("message", flat=True))


def test_accepted_approves_once_and_stores_centrals_session_id(pending):
    message = update(pending, "accepted", session_id="session-aaaa0001", reason="Request accepted, starting charging")
    assert deliver("update", message) == APPLIED
    assert deliver("update", message) == NOOP
    session = reload(pending)
    assert session.status == SessionStatus.APPROVED
    assert session.session_id == "session-aaaa0001"
    assert session.approved_at is not None
    assert transitions(session) == [("", "PENDING"), ("PENDING", "APPROVED")]
    assert notes(session) == ["Session approved for CP-001"]


def test_in_progress_starts_charging_once_and_sets_started_at(pending):
    deliver("update", update(pending, "accepted", session_id="session-aaaa0002"))
    message = update(pending, "in_progress", reason="Charging: 22.0 kW, €0.01")
    assert deliver("update", message) == APPLIED
    started_at = reload(pending).started_at
    assert deliver("update", message) == NOOP
    session = reload(pending)
    assert session.status == SessionStatus.CHARGING
    assert session.started_at == started_at is not None
    assert notes(session) == ["Charging started at CP-001", "Session approved for CP-001"]


def test_denied_keeps_centrals_reason(pending):
    reason = "Charging point not available (state: SUPPLYING)"
    assert deliver("update", update(pending, "denied", reason=reason)) == APPLIED
    assert deliver("update", update(pending, "denied", reason=reason)) == NOOP
    session = reload(pending)
    assert (session.status, session.reason) == (SessionStatus.DENIED, reason)
    # The reason is kept as central said it; the driver reads it in plain words.
    assert notes(session) == ["Request for CP-001 denied: This point is in use by someone else"]


def test_failed_keeps_the_reason(pending):
    deliver("update", update(pending, "accepted", session_id="session-aaaa0003"))
    deliver("update", update(pending, "in_progress"))
    assert deliver("update", update(pending, "failed", reason="Charging interrupted: FAULT")) == APPLIED
    session = reload(pending)
    assert (session.status, session.reason) == (SessionStatus.FAILED, "Charging interrupted: FAULT")
    assert deliver("update", update(pending, "failed", reason="Charging interrupted: FAULT")) == NOOP


def test_in_progress_after_completed_is_ignored(pending):
    deliver("update", update(pending, "accepted", session_id="session-aaaa0004"))
    deliver("update", update(pending, "in_progress"))
    deliver("update", update(pending, "completed", session_id="session-aaaa0004", reason="Session completed"))
    assert deliver("update", update(pending, "in_progress")) == NOOP
    assert reload(pending).status == SessionStatus.COMPLETED
    assert transitions(pending)[-1] == ("CHARGING", "COMPLETED")


def test_reordered_in_progress_before_accepted_ends_charging_with_centrals_id(pending):
    assert deliver("update", update(pending, "in_progress")) == APPLIED
    assert deliver("update", update(pending, "accepted", session_id="session-aaaa0005")) == APPLIED
    session = reload(pending)
    assert session.status == SessionStatus.CHARGING
    assert session.session_id == "session-aaaa0005"
    assert deliver("update", update(pending, "accepted", session_id="session-aaaa0005")) == NOOP


def test_wrong_request_id_on_in_progress_and_completed_is_matched_by_point_and_driver(alice, cp):
    old = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    session_cancel(driver=alice, request_id=old.request_id)
    new = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    deliver("update", update(new, "accepted", session_id="session-bbbb0001"))
    # Central names the driver's first request it still has open: the cancelled one.
    assert deliver("update", update(new, "in_progress", request_id=old.request_id)) == APPLIED
    assert reload(new).status == SessionStatus.CHARGING
    completed = update(new, "completed", request_id=old.request_id, session_id="session-bbbb0001")
    assert deliver("update", completed) == APPLIED
    assert reload(new).status == SessionStatus.COMPLETED
    assert reload(old).status == SessionStatus.CANCELLED
    assert transitions(old) == [("", "PENDING"), ("PENDING", "CANCELLED")]


def test_messages_for_unknown_drivers_and_requests_are_ignored(pending, bob):
    other_cp = ChargingPointFactory(cp_id="CP-999")
    assert deliver("update", update(pending, "accepted", request_id="req-00000000", session_id="s-x")) == UNMATCHED
    assert deliver("update", update(pending, "in_progress", driver_id="driver-nobody")) == UNMATCHED
    assert deliver("update", update(pending, "in_progress", cp_id=other_cp.cp_id)) == UNMATCHED
    assert deliver("update", update(pending, "in_progress", driver_id=bob.driver_id)) == UNMATCHED
    stranger = ticket(pending, session_id="session-unknown") | {"driver_id": "driver-nobody"}
    assert deliver("ticket", stranger) == UNMATCHED
    assert reload(pending).status == SessionStatus.PENDING


def test_ticket_completes_an_open_session_with_final_figures_once(pending):
    deliver("update", update(pending, "accepted", session_id="session-cccc0001"))
    deliver("update", update(pending, "in_progress"))
    message = ticket(pending, session_id="session-cccc0001", kwh=12.3456, eur=5.19)
    assert deliver("ticket", message) == APPLIED
    assert deliver("ticket", message) == NOOP
    session = reload(pending)
    assert session.status == SessionStatus.COMPLETED
    assert (session.energy_kwh, session.cost_eur) == (Decimal("12.3456"), Decimal("5.1900"))
    assert session.started_at.isoformat() == "2026-11-23T21:00:00+00:00"
    assert session.completed_at.isoformat() == "2026-11-23T21:30:00+00:00"
    assert session.ticket_received_at is not None
    assert notes(session)[0] == "Charging completed at CP-001: 12.35 kWh, €5.19"
    # The `completed` update that follows the ticket changes nothing.
    assert deliver("update", update(pending, "completed", session_id="session-cccc0001")) == NOOP


def test_ticket_fixes_figures_of_a_stopped_session_and_it_stays_stopped(pending):
    deliver("update", update(pending, "accepted", session_id="session-cccc0002"))
    deliver("update", update(pending, "in_progress"))
    session_transition(session=pending.pk, to_status=SessionStatus.STOPPED, source="DRIVER", reason="Stopped by driver")
    assert deliver("update", update(pending, "completed", session_id="session-cccc0002")) == NOOP
    assert deliver("ticket", ticket(pending, session_id="session-cccc0002", kwh=2.5, eur=1.05)) == APPLIED
    assert deliver("ticket", ticket(pending, session_id="session-cccc0002", kwh=2.5, eur=1.05)) == NOOP
    session = reload(pending)
    assert session.status == SessionStatus.STOPPED
    assert (session.energy_kwh, session.cost_eur) == (Decimal("2.5000"), Decimal("1.0500"))
    assert notes(session)[0] == "Final figures for your session at CP-001: 2.50 kWh, €1.05"
    assert len(notes(session)) == 4  # approved, charging, stopped, final figures


def test_old_ticket_resent_by_a_restarted_engine_does_not_touch_the_current_session(pending):
    deliver("update", update(pending, "accepted", session_id="session-cccc0003"))
    assert deliver("ticket", ticket(pending, session_id="session-old00001")) == UNMATCHED
    assert reload(pending).status == SessionStatus.APPROVED


def test_accepted_after_cancel_is_stopped_at_central_and_stays_cancelled(pending, alice, fake_central):
    session_cancel(driver=alice, request_id=pending.request_id)
    message = update(pending, "accepted", session_id="session-dddd0001")
    assert deliver("update", message) == APPLIED
    session = reload(pending)
    assert session.status == SessionStatus.CANCELLED
    assert session.session_id == "session-dddd0001"
    assert session.central_stop_pending is True
    assert deliver("update", message) == NOOP


def test_accepted_after_time_out_is_stopped_at_central(pending, fake_central, django_capture_on_commit_callbacks):
    session_transition(
        session=pending.pk, to_status=SessionStatus.FAILED, source="TIMEOUT", reason="Central did not answer"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver("update", update(pending, "accepted", session_id="session-dddd0002")) == APPLIED
    session = reload(pending)
    assert session.status == SessionStatus.FAILED
    assert session.reason == "Central did not answer"
    assert session.central_stopped_at is not None and session.central_stop_pending is False
    assert fake_central.stop_calls == [
        {"cp_id": "CP-001", "driver_id": "driver-alice", "session_id": "session-dddd0002"}
    ]


TICKET_START = b'{"cp_id": "c", "session_id": "s", "driver_id": "d", '


@pytest.mark.parametrize(
    ("topic_kind", "raw", "error"),
    [
        ("update", b"not json", "not UTF-8 JSON"),
        ("update", b"\xff\xfe", "not UTF-8 JSON"),
        ("update", b"[1, 2]", "not a JSON object"),
        ("update", b'{"driver_id": "d", "cp_id": "c", "status": "paused"}', "status 'paused'"),
        ("update", b'{"cp_id": "c", "status": "accepted"}', "driver_id is missing"),
        ("update", b'{"driver_id": "d", "cp_id": "c", "status": "accepted", "ts": "yesterday"}', "ts is not"),
        ("ticket", TICKET_START + b'"energy_kwh": -1, "total_cost_eur": 1}', "energy_kwh"),
        ("ticket", TICKET_START + b'"energy_kwh": "x", "total_cost_eur": 1}', "energy_kwh"),
        ("ticket", TICKET_START + b'"energy_kwh": 1, "total_cost_eur": null}', "total_cost_eur"),
    ],
)
def test_invalid_messages_are_poison(topic_kind, raw, error):
    topic = settings.KAFKA_TOPIC_UPDATES if topic_kind == "update" else settings.KAFKA_TOPIC_TICKETS
    with pytest.raises(PoisonMessage, match=error):
        decode_central_event(topic, raw)


def test_plus_zero_zero_and_z_datetimes_are_both_accepted(pending):
    message = ticket(pending, session_id="x")
    event = decode_central_event(settings.KAFKA_TOPIC_TICKETS, json.dumps(message).encode())
    assert event.start_time == datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
    assert event.end_time == datetime(2026, 11, 23, 21, 30, tzinfo=UTC)


@pytest.mark.parametrize("amount", [1e300, "1e400"])
def test_amounts_no_decimal_can_hold_at_four_places_are_poison(amount):
    raw = TICKET_START + json.dumps({"energy_kwh": amount, "total_cost_eur": 1})[1:].encode()
    with pytest.raises(PoisonMessage, match="energy_kwh"):
        decode_central_event(settings.KAFKA_TOPIC_TICKETS, raw)


def test_late_in_progress_of_a_stopped_session_does_not_start_the_drivers_next_request(alice, cp):
    first = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    deliver("update", update(first, "accepted", session_id="session-eeee0001"))
    deliver("update", update(first, "in_progress"))
    session_transition(session=first.pk, to_status=SessionStatus.STOPPED, source="DRIVER", reason="Stopped by driver")
    second = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    # Telemetry the engine sent just before it stopped, forwarded after the stop; it names its own request.
    late = update(first, "in_progress", reason="Charging: 22.0 kW, €0.01")
    assert deliver("update", late) == NOOP
    assert deliver("update", late) == NOOP
    assert reload(second).status == SessionStatus.PENDING
    assert reload(second).started_at is None
    assert reload(first).status == SessionStatus.STOPPED
    # The answer to the new request still applies.
    denied = update(second, "denied", reason="Charging point not available (state: SUPPLYING)")
    assert deliver("update", denied) == APPLIED
    assert reload(second).status == SessionStatus.DENIED


def test_completed_naming_a_finished_request_but_carrying_another_session_id_still_finds_its_session(alice, cp):
    first = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    deliver("update", update(first, "accepted", session_id="session-eeee0002"))
    session_transition(session=first.pk, to_status=SessionStatus.STOPPED, source="DRIVER", reason="Stopped by driver")
    second = session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")
    # The acceptance of the second request was lost; its completion names the first request (wrong id).
    completed = update(second, "completed", request_id=first.request_id, session_id="session-eeee0003")
    assert deliver("update", completed) == APPLIED
    assert deliver("update", completed) == NOOP
    assert (reload(second).status, reload(second).session_id) == (SessionStatus.COMPLETED, "session-eeee0003")
    assert reload(first).status == SessionStatus.STOPPED


def test_in_progress_while_charging_is_a_sign_of_life_written_at_most_once_a_minute(alice, cp):
    from datetime import timedelta

    from django.utils import timezone

    from central.sync.updates import DriverUpdate, session_apply_update
    from sessions_app.services.timeouts import sessions_fail_long_silent

    two_hours_ago = timezone.now() - timedelta(hours=2)
    session = ChargingSessionFactory(
        driver=alice,
        charging_point=cp,
        status=SessionStatus.CHARGING,
        session_id="session-0000beef",
        requested_at=two_hours_ago,
        started_at=two_hours_ago,
        last_seen_at_point=two_hours_ago,
    )
    tick = DriverUpdate(
        request_id=session.request_id,
        driver_id="driver-alice",
        cp_id=cp.cp_id,
        status="in_progress",
        reason="Charging: 50.0 kW, €1.00",
        session_id=None,
        ts=None,
    )

    assert session_apply_update(tick) == "noop"
    session.refresh_from_db()
    first_sign = session.last_seen_at_point
    assert timezone.now() - first_sign < timedelta(seconds=5)

    assert session_apply_update(tick) == "noop"
    session.refresh_from_db()
    assert session.last_seen_at_point == first_sign  # not rewritten on every tick

    # Central's HTTP may be down: the Kafka stream alone keeps the session from the one-hour silence limit.
    assert sessions_fail_long_silent() == 0
    session.refresh_from_db()
    assert session.status == SessionStatus.CHARGING
