"""The transactional outbox for messages to central.

`outbox_enqueue` is called inside the transaction that causes the message; after commit the
message is handed to the Kafka producer (`outbox_publish_soon`), and `outbox_resend_unsent`
(periodic) retries whatever the broker has not acknowledged. A row is marked sent only by the
producer's delivery report. Rows of sessions that are no longer PENDING are not re-sent: a request
that timed out or was cancelled must not reach central late.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from central.gateway.producer import kafka_produce, kafka_producer
from central.models import OutboxMessage
from sessions_app.status import SessionStatus

logger = logging.getLogger(__name__)


def outbox_enqueue(*, topic: str, key: str, payload: dict, session=None) -> OutboxMessage:
    message = OutboxMessage.objects.create(topic=topic, key=key, payload=payload, session=session)
    transaction.on_commit(lambda: outbox_publish_soon(message.pk))
    return message


def outbox_publish_soon(message_pk: int) -> None:
    """Produce one outbox message now (after commit), waiting at most KAFKA_PRODUCE_FLUSH_SECONDS.

    Never raises: with the broker down the row stays unsent and the periodic resend takes over.
    """
    try:
        message = OutboxMessage.objects.filter(pk=message_pk, sent_at=None).first()
        if message is None or not _claim(message, timezone.now()):
            return
        producer = _produce(message)
        producer.flush(settings.KAFKA_PRODUCE_FLUSH_SECONDS)
    except Exception as exc:
        logger.warning("outbox message %s not produced now (%s); the periodic resend will retry", message_pk, exc)
        OutboxMessage.objects.filter(pk=message_pk, sent_at=None).update(last_error=str(exc)[:1000])


def outbox_resend_unsent(*, limit: int = 500, now=None) -> int:
    """Re-produce unsent rows whose last attempt is older than KAFKA_OUTBOX_RESEND_AFTER.

    Each row is claimed with a conditional update, so overlapping runs never produce it twice.
    Returns how many rows were handed to the producer.
    """
    now = now or timezone.now()
    kafka_producer().poll(0)  # serve delivery reports of earlier sends first
    cutoff = now - timedelta(seconds=settings.KAFKA_OUTBOX_RESEND_AFTER)
    candidates = list(
        OutboxMessage.objects.filter(sent_at=None)
        .filter(
            Q(session__isnull=True) | Q(session__status=SessionStatus.PENDING, session__queue_position__isnull=True)
        )
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=cutoff))
        .order_by("created_at", "id")[:limit]
    )
    produced = 0
    producer = None
    for message in candidates:
        if not _claim(message, now):
            continue
        try:
            producer = _produce(message)
            produced += 1
        except Exception as exc:
            logger.warning("outbox message %s not produced (%s)", message.pk, exc)
            OutboxMessage.objects.filter(pk=message.pk, sent_at=None).update(last_error=str(exc)[:1000])
    if producer is not None:
        producer.flush(max(settings.KAFKA_PRODUCE_FLUSH_SECONDS, 1.0))
    if produced:
        logger.info("outbox: re-sent %s message(s)", produced)
    return produced


def _claim(message: OutboxMessage, now) -> bool:
    return bool(
        OutboxMessage.objects.filter(pk=message.pk, sent_at=None, attempts=message.attempts).update(
            attempts=F("attempts") + 1, last_attempt_at=now
        )
    )


def _produce(message: OutboxMessage):
    return kafka_produce(
        topic=message.topic, key=message.key, value=message.payload, on_delivery=_delivery_report(message.pk)
    )


def _delivery_report(message_pk: int):
    def report(err, msg) -> None:
        if err is not None:
            logger.warning("outbox message %s not delivered: %s", message_pk, err)
            OutboxMessage.objects.filter(pk=message_pk, sent_at=None).update(last_error=str(err)[:1000])
            return
        OutboxMessage.objects.filter(pk=message_pk, sent_at=None).update(sent_at=timezone.now(), last_error="")
        logger.debug("outbox message %s delivered to %s[%s]@%s", message_pk, msg.topic(), msg.partition(), msg.offset())

    return report
