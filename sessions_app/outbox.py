"""The transactional outbox for messages to central.

`outbox_enqueue` is called inside the transaction that causes the message; after commit the
message is handed to the Kafka producer, and `outbox_resend_unsent` (periodic) retries whatever
the broker has not acknowledged.
"""

from django.db import transaction

from sessions_app.models import OutboxMessage


def outbox_enqueue(*, topic: str, key: str, payload: dict, session=None) -> OutboxMessage:
    message = OutboxMessage.objects.create(topic=topic, key=key, payload=payload, session=session)
    transaction.on_commit(lambda: outbox_publish_soon(message.pk))
    return message


def outbox_publish_soon(message_pk: int) -> None:
    """Produce one outbox message now (after commit). Filled in by the Kafka integration."""
    # ISSUE-4: produce to Kafka and mark sent on delivery; failures are left for the periodic resend.
