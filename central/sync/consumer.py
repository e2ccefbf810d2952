"""The consumer of central's `driver.updates` and `driver.ticket`.

One consumer group for the whole dashboard (KAFKA_CONSUMER_GROUP). Messages are applied in batches,
one database transaction per batch; offsets are committed only after that transaction commits, so
a crash re-delivers and the idempotent handlers make the replay harmless. A message that cannot be
decoded or applied is logged with topic/partition/offset, stored as a DeadLetter and committed.
"""

import logging
import os
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from central.gateway.kafka_config import consumer_config, incoming_topics
from central.gateway.messages import PoisonMessage, SessionTicket
from central.gateway.topics import kafka_topics_ensure
from central.models import DeadLetter
from central.sync.progress import ProgressRecorder
from central.sync.updates import KnownCharging, central_event_apply, central_event_decode, central_events_apply

logger = logging.getLogger(__name__)


class CentralEventsConsumer:
    """A long-lived consumer; `poll_once` applies one batch, `drain` applies what is waiting."""

    def __init__(self, *, group_id: str | None = None, topics: list[str] | None = None):
        self.group_id = group_id or settings.KAFKA_CONSUMER_GROUP
        self.topics = list(topics or incoming_topics())
        self.assigned = False
        self.applied = 0
        self.dead_letters = 0
        self._consumer: Consumer | None = None
        self.progress = ProgressRecorder(self.group_id)
        # What this consumer knows of CHARGING sessions, so that central's ticks for them cost no query.
        self.known = KnownCharging()

    def start(self) -> "CentralEventsConsumer":
        if self._consumer is None:
            try:
                kafka_topics_ensure(self.topics, timeout=3.0)
            except KafkaException as exc:
                logger.warning("could not create topics %s: %s", ", ".join(self.topics), exc)
            self._consumer = Consumer(consumer_config(self.group_id))
            self._consumer.subscribe(self.topics, on_assign=self._on_assign, on_revoke=self._on_revoke)
            logger.info("consuming %s in group %s", ", ".join(self.topics), self.group_id)
        return self

    def _on_assign(self, consumer, partitions) -> None:
        self.assigned = True
        self.known.clear()  # another member may have applied these partitions meanwhile
        logger.info("assigned %s", ", ".join(f"{p.topic}[{p.partition}]" for p in partitions))

    def _on_revoke(self, consumer, partitions) -> None:
        self.assigned = False
        self.known.clear()

    def close(self) -> None:
        if self._consumer is not None:
            try:
                self._consumer.close()
            except (KafkaException, RuntimeError) as exc:
                logger.warning("closing the consumer: %s", exc)
            self._consumer = None
            self.assigned = False
            self.progress.leave()

    def poll_once(self, timeout: float = 0.5, max_messages: int | None = None) -> int:
        """Fetch up to one batch, apply it, commit its offsets. Returns how many messages it handled."""
        self.start()
        batch = max_messages or settings.KAFKA_CONSUMER_BATCH_SIZE
        # Wait for the first message only, then take what is already fetched: consume() with a
        # count would hold a lone message until the count or the timeout is reached.
        started = timezone.now()
        first = self._consumer.poll(timeout)
        if first is None:
            if self.assigned:
                self.progress.caught_up(started)
            else:
                self.progress.beat()
            return 0
        self.progress.beat()
        messages = [first, *self._consumer.consume(num_messages=batch - 1, timeout=0)] if batch > 1 else [first]
        records = []
        for message in messages:
            error = message.error()
            if error is None:
                records.append(message)
            elif error.code() != KafkaError._PARTITION_EOF:
                logger.warning("consumer error: %s", error)
        if not records:
            return 0
        try:
            self._apply(records)
        except Exception:
            # E.g. the database is down: nothing of this batch is committed; rewind so that it is
            # fetched again (a later commit must never skip over it).
            self._rewind(records)
            raise
        self._commit(records)
        return len(records)

    def _rewind(self, records) -> None:
        starts: dict[tuple[str, int], int] = {}
        for record in records:
            key = (record.topic(), record.partition())
            starts[key] = min(starts.get(key, record.offset()), record.offset())
        for (topic, partition), offset in starts.items():
            try:
                self._consumer.seek(TopicPartition(topic, partition, offset))
            except KafkaException as exc:  # partition revoked meanwhile: its next owner starts from the commit
                logger.warning("could not rewind %s[%s] to %s: %s", topic, partition, offset, exc)

    def drain(self, max_seconds: float) -> int:
        """Apply what is waiting, until caught up with every assigned partition or `max_seconds` passed."""
        deadline = time.monotonic() + max_seconds
        handled = 0
        while time.monotonic() < deadline:
            count = self.poll_once(timeout=0.05 if self.assigned else 0.2)
            handled += count
            if count == 0 and self.assigned and self.caught_up():
                break
        return handled

    def caught_up(self) -> bool:
        """Is this consumer at the end of every partition assigned to it (asks the broker)?"""
        assignment = self._consumer.assignment()
        if not assignment:
            return self.assigned  # a group member with no partitions has nothing to catch up on
        try:
            positions = self._consumer.position(assignment)
            unknown = [tp for tp in positions if tp.offset < 0]
            committed = {(tp.topic, tp.partition): tp.offset for tp in self._consumer.committed(unknown, timeout=2)}
            for tp in positions:
                low, high = self._consumer.get_watermark_offsets(
                    TopicPartition(tp.topic, tp.partition), timeout=2, cached=False
                )
                offset = tp.offset if tp.offset >= 0 else committed.get((tp.topic, tp.partition), -1)
                if (offset if offset >= 0 else low) < high:
                    return False
        except KafkaException as exc:
            logger.debug("could not tell whether the consumer is caught up: %s", exc)
            return False
        return True

    def _apply(self, records) -> None:
        decoded = []
        for record in records:
            try:
                decoded.append((record, central_event_decode(record.topic(), record.value())))
            except PoisonMessage as exc:
                self._dead_letter(record, str(exc))
            except Exception as exc:
                # Decoding touches no database: whatever else it raises is the message's fault too, and
                # re-raising would rewind to this message for ever.
                logger.exception("could not decode %s[%s]@%s", record.topic(), record.partition(), record.offset())
                self._dead_letter(record, f"{type(exc).__name__}: {exc}")
        if not decoded:
            return
        # Central sends a ticket before its `completed`, but on another topic: within a batch apply
        # tickets first so the completion carries the final figures (per-topic order is kept).
        decoded.sort(key=lambda pair: not isinstance(pair[1], SessionTicket))
        try:
            with transaction.atomic():
                outcomes = central_events_apply([event for _, event in decoded], self.known)
        except Exception:
            self.known.clear()  # it learnt from writes that were rolled back
            # Something in the batch failed: redo it one message per transaction to isolate it.
            logger.warning("batch of %s messages failed; applying one by one", len(decoded), exc_info=True)
            for record, event in decoded:
                self._apply_one(record, event)
            return
        self.applied += len(decoded)
        if logger.isEnabledFor(logging.DEBUG):
            for (record, event), outcome in zip(decoded, outcomes, strict=True):
                logger.debug("%s %s[%s]@%s %s", outcome, record.topic(), record.partition(), record.offset(), event)

    def _apply_one(self, record, event) -> None:
        try:
            with transaction.atomic():
                outcome = central_event_apply(event)
        except (OperationalError, InterfaceError):
            raise  # the database, not the message, is the problem: retry the batch later
        except Exception as exc:
            logger.exception("could not apply %s[%s]@%s", record.topic(), record.partition(), record.offset())
            self._dead_letter(record, f"{type(exc).__name__}: {exc}")
            return
        self.applied += 1
        logger.debug("%s %s[%s]@%s %s", outcome, record.topic(), record.partition(), record.offset(), event)

    def _dead_letter(self, record, error: str) -> None:
        logger.error(
            "poison message %s[%s]@%s stored as dead letter: %s",
            record.topic(),
            record.partition(),
            record.offset(),
            error,
        )
        DeadLetter.objects.get_or_create(
            topic=record.topic(),
            partition=record.partition(),
            offset=record.offset(),
            defaults={
                "key": _text(record.key()),
                "value": _text(record.value()),
                "error": error[:5000],
            },
        )
        self.dead_letters += 1

    def _commit(self, records) -> None:
        positions: dict[tuple[str, int], int] = {}
        for record in records:
            key = (record.topic(), record.partition())
            positions[key] = max(positions.get(key, -1), record.offset())
        offsets = [TopicPartition(topic, partition, offset + 1) for (topic, partition), offset in positions.items()]
        try:
            self._consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as exc:
            # E.g. a rebalance: the messages come again and the idempotent handlers ignore them.
            logger.warning("offset commit failed (%s); messages may be re-delivered", exc)


def _text(data: bytes | None) -> str:
    if data is None:
        return ""
    # PostgreSQL text cannot hold NUL; keep undecodable bytes visible as escapes.
    return data.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00")


# --- One long-lived consumer per worker process for the Celery drain task --------------------------

_drain_lock = threading.Lock()
_drain_consumer: tuple[int, tuple, CentralEventsConsumer] | None = None


def central_events_drain(max_seconds: float | None = None) -> int:
    """Apply what is waiting with this process's consumer (created lazily, kept between runs)."""
    global _drain_consumer
    if not _drain_lock.acquire(blocking=False):
        return 0  # another thread of this process is draining
    try:
        identity = (settings.KAFKA_BOOTSTRAP_SERVERS, settings.KAFKA_CONSUMER_GROUP, tuple(incoming_topics()))
        pid = os.getpid()
        if _drain_consumer is None or _drain_consumer[0] != pid or _drain_consumer[1] != identity:
            if _drain_consumer is not None and _drain_consumer[0] == pid:
                _drain_consumer[2].close()
            _drain_consumer = (pid, identity, CentralEventsConsumer().start())
        consumer = _drain_consumer[2]
        return consumer.drain(settings.KAFKA_DRAIN_MAX_SECONDS if max_seconds is None else max_seconds)
    finally:
        _drain_lock.release()


def central_events_drain_reset() -> None:
    """Close this process's drain consumer (tests)."""
    global _drain_consumer
    with _drain_lock:
        if _drain_consumer is not None and _drain_consumer[0] == os.getpid():
            _drain_consumer[2].close()
        _drain_consumer = None
