"""The consumer of driver.updates / driver.ticket against the real tansu broker."""

import pytest
from confluent_kafka import TopicPartition
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from central.models import DeadLetter
from central.sync.consumer import CentralEventsConsumer
from sessions_app.models import ChargingSession, SessionTransition
from sessions_app.services.lifecycle import session_request
from sessions_app.status import SessionStatus

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pending(alice, cp, kafka_settings):
    return session_request(driver=alice, cp_id=cp.cp_id, vehicle_id="vehicle-1")


@pytest.fixture
def consumer(kafka_settings):
    consumer = CentralEventsConsumer().start()
    yield consumer
    consumer.close()


def committed(consumer, topic) -> int:
    (position,) = consumer._consumer.committed([TopicPartition(topic, 0)], timeout=5)
    return position.offset


def status_of(session) -> str:
    return ChargingSession.objects.get(pk=session.pk).status


def test_update_is_applied_and_its_offset_committed(pending, central_kafka, consumer, kafka_settings):
    request = central_kafka.next_request()
    session_id = central_kafka.accept(request)
    assert consumer.drain(5) == 1
    session = ChargingSession.objects.get(pk=pending.pk)
    assert (session.status, session.session_id) == (SessionStatus.APPROVED, session_id)
    assert committed(consumer, kafka_settings.updates) == 1


def test_each_message_delivered_twice_has_one_effect(pending, central_kafka, consumer):
    request = central_kafka.next_request()
    session_id = central_kafka.accept(request)
    central_kafka.accept(request, session_id=session_id)
    for _ in range(2):
        central_kafka.update(
            request_id=pending.request_id, driver_id="driver-alice", cp_id="CP-001", status="in_progress"
        )
    assert consumer.drain(5) == 4
    for _ in range(2):
        central_kafka.ticket(
            cp_id="CP-001", session_id=session_id, driver_id="driver-alice", energy_kwh=3.2, total_cost_eur=1.34
        )
    assert consumer.drain(5) == 2
    moves = list(SessionTransition.objects.filter(session=pending).values_list("to_status", flat=True))
    assert moves == ["PENDING", "APPROVED", "CHARGING", "COMPLETED"]
    assert str(ChargingSession.objects.get(pk=pending.pk).energy_kwh) == "3.2000"


def test_poison_message_is_dead_lettered_committed_and_the_next_one_applied(
    pending, central_kafka, consumer, kafka_settings
):
    request = central_kafka.next_request()
    central_kafka.send(kafka_settings.updates, "driver-alice", b"{not json")
    central_kafka.send(kafka_settings.updates, "driver-alice", {"status": "accepted"})
    central_kafka.accept(request)
    assert consumer.drain(5) == 3
    assert status_of(pending) == SessionStatus.APPROVED
    letters = list(DeadLetter.objects.order_by("offset").values_list("topic", "partition", "offset", "key", "value"))
    assert letters == [
        (kafka_settings.updates, 0, 0, "driver-alice", "{not json"),
        (kafka_settings.updates, 0, 1, "driver-alice", '{"status": "accepted"}'),
    ]
    assert "driver_id is missing" in DeadLetter.objects.get(offset=1).error
    assert committed(consumer, kafka_settings.updates) == 3


def test_a_restarted_consumer_resumes_after_the_committed_offset(pending, central_kafka, kafka_settings):
    request = central_kafka.next_request()
    central_kafka.accept(request)
    first = CentralEventsConsumer().start()
    assert first.drain(5) == 1
    first.close()
    central_kafka.update(request_id=pending.request_id, driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    second = CentralEventsConsumer().start()
    try:
        assert second.drain(5) == 1  # only the new message: the acceptance is not read again
    finally:
        second.close()
    assert status_of(pending) == SessionStatus.CHARGING


def test_ticks_for_a_session_the_consumer_knows_charging_cost_no_session_query(
    pending, central_kafka, consumer, settings
):
    settings.SESSION_LOST_GRACE_SECONDS = 180.0  # no sign of life due during the test
    settings.KAFKA_CONSUMER_TRUST_CHARGING_SECONDS = 60.0
    session_id = central_kafka.accept(central_kafka.next_request())
    tick = {"request_id": pending.request_id, "driver_id": "driver-alice", "cp_id": "CP-001", "status": "in_progress"}
    central_kafka.update(**tick)
    assert consumer.drain(5) == 2
    for _ in range(5):
        central_kafka.update(**tick)
    with CaptureQueriesContext(connection) as captured:
        assert consumer.drain(5) == 5
    table = ChargingSession._meta.db_table
    assert [q["sql"] for q in captured.captured_queries if table in q["sql"]] == []
    # The session ends: the next ticks are matched the long way and change nothing.
    central_kafka.update(**{**tick, "status": "completed", "session_id": session_id})
    central_kafka.update(**tick)
    assert consumer.drain(5) == 2
    assert status_of(pending) == SessionStatus.COMPLETED
    assert len(consumer.known) == 0


def test_management_command_applies_messages_until_told_to_stop(pending, central_kafka, capsys):
    request = central_kafka.next_request()
    central_kafka.accept(request)
    call_command("consume_central_events", max_seconds=2.5, poll_timeout=0.1)
    assert status_of(pending) == SessionStatus.APPROVED
    assert "applied 1 message(s), 0 dead letter(s)" in capsys.readouterr().out


def test_message_that_fails_to_apply_is_isolated_from_its_batch(pending, central_kafka, consumer, kafka_settings):
    request = central_kafka.next_request()
    session_id = central_kafka.accept(request)
    # Valid JSON and shape, but the database refuses it (numeric overflow): only this one is set aside.
    central_kafka.ticket(
        cp_id="CP-001", session_id=session_id, driver_id="driver-alice", energy_kwh=1e12, total_cost_eur=1
    )
    central_kafka.update(request_id=pending.request_id, driver_id="driver-alice", cp_id="CP-001", status="in_progress")
    assert consumer.drain(5) == 3
    assert status_of(pending) == SessionStatus.CHARGING
    letter = DeadLetter.objects.get()
    assert (letter.topic, letter.offset) == (kafka_settings.tickets, 0)
    assert "DataError" in letter.error
    assert committed(consumer, kafka_settings.tickets) == 1


def test_batch_is_fetched_again_when_the_database_fails(pending, central_kafka, consumer, kafka_settings):
    import psycopg
    from django.db import OperationalError, connection

    request = central_kafka.next_request()
    central_kafka.accept(request)
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as blocker:
        blocker.execute("LOCK TABLE sessions_app_chargingsession IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            with pytest.raises(OperationalError):
                consumer.drain(5)
        finally:
            blocker.rollback()
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
    assert DeadLetter.objects.count() == 0  # a database failure is not the message's fault
    assert consumer.drain(5) == 1
    assert status_of(pending) == SessionStatus.APPROVED
    assert committed(consumer, kafka_settings.updates) == 1


def test_ticket_with_an_absurd_amount_is_dead_lettered_and_does_not_block_the_stream(
    pending, central_kafka, consumer, kafka_settings
):
    request = central_kafka.next_request()
    session_id = central_kafka.accept(request)
    # Valid JSON, but no Decimal can hold it at 4 decimal places: the decoder must call it poison.
    good = {"cp_id": "CP-001", "session_id": session_id, "driver_id": "driver-alice", "total_cost_eur": 1}
    central_kafka.send(kafka_settings.tickets, "driver-alice", {**good, "energy_kwh": 1e300})
    # Nested too deep for the JSON parser (RecursionError, not ValueError).
    central_kafka.send(kafka_settings.tickets, "driver-alice", b"[" * 100_000 + b"]" * 100_000)
    central_kafka.ticket(
        cp_id="CP-001", session_id=session_id, driver_id="driver-alice", energy_kwh=2.5, total_cost_eur=1.05
    )
    assert consumer.drain(5) == 4
    session = ChargingSession.objects.get(pk=pending.pk)
    assert (session.status, str(session.energy_kwh)) == (SessionStatus.COMPLETED, "2.5000")
    assert list(DeadLetter.objects.order_by("offset").values_list("topic", "offset")) == [
        (kafka_settings.tickets, 0),
        (kafka_settings.tickets, 1),
    ]
    assert "energy_kwh" in DeadLetter.objects.get(offset=0).error
    assert committed(consumer, kafka_settings.tickets) == 3
