"""What the dashboard keeps about its conversation with central: the outbox of messages to send, the
messages that could not be processed, how far each consumer has got, and how the poll is going.

The tables kept their names when these models moved here from `sessions_app` and `chargingpoints`.
"""

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """A Kafka message written in the same transaction as the change that caused it; sent after commit
    and re-sent by a periodic task until the broker acknowledges it."""

    topic = models.CharField(max_length=120)
    key = models.CharField(max_length=120)
    payload = models.JSONField()
    session = models.ForeignKey(
        "sessions_app.ChargingSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # When the message was last handed to the producer (the resend waits KAFKA_OUTBOX_RESEND_AFTER).
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "sessions_app_outboxmessage"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_unsent_idx")]

    def __str__(self):
        return f"{self.topic}[{self.key}] {'sent' if self.sent_at else 'unsent'}"


class DeadLetter(models.Model):
    """An incoming message that could not be processed, kept for inspection; the stream moved on."""

    topic = models.CharField(max_length=120)
    partition = models.IntegerField()
    offset = models.BigIntegerField()
    key = models.TextField(blank=True)
    value = models.TextField(blank=True)
    error = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "sessions_app_deadletter"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "partition", "offset"], name="dead_letter_unique_position")
        ]

    def __str__(self):
        return f"{self.topic}[{self.partition}]@{self.offset}"


class ConsumerProgress(models.Model):
    """How far one consumer process of central's events has got, for the poll's silence rule.

    `caught_up_at`: the consumer had applied everything on its partitions that central produced before this
    time (it found nothing more waiting). `heartbeat_at`: the process was alive then. A session is failed for
    silence only when every live consumer caught up after the session was last seen alive.
    """

    name = models.CharField(max_length=200, unique=True, help_text="group:host:pid of the consumer.")
    caught_up_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "sessions_app_consumerprogress"
        verbose_name_plural = "consumer progress"

    def __str__(self):
        return f"{self.name} caught up at {self.caught_up_at}"


class CentralSyncState(models.Model):
    """One row: how the poll of central is going (for /health/ready and /sync-status)."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    unreachable_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    outage_alerted_at = models.DateTimeField(
        null=True, blank=True, help_text="When drivers were told central is unreachable (this outage)."
    )
    # One poll at a time across workers and hosts: a poll claims the lease (a conditional UPDATE) and
    # gets the next number; a newer number means a later fetch, so an older picture is never applied.
    poll_number = models.PositiveBigIntegerField(default=0, help_text="Number of the last poll that started.")
    poll_lease_until = models.DateTimeField(null=True, blank=True, help_text="A running poll holds it until then.")
    applied_poll_number = models.PositiveBigIntegerField(
        default=0, help_text="Number of the poll whose result (picture or failure) was recorded last."
    )

    class Meta:
        db_table = "chargingpoints_centralsyncstate"
        constraints = [models.CheckConstraint(condition=models.Q(singleton=1), name="central_sync_state_singleton")]

    @classmethod
    def load(cls) -> "CentralSyncState":
        obj, _ = cls.objects.get_or_create(singleton=1)
        return obj

    def __str__(self):
        return "Central sync state"
