import secrets

from django.db import models
from django.utils import timezone

from sessions_app.status import OPEN_STATUSES, SessionStatus


def new_request_id() -> str:
    return f"req-{secrets.token_hex(4)}"


def pending_session_id(request_id: str) -> str:
    return f"pending-{request_id}"


class ChargingSession(models.Model):
    """One row per driver request, from PENDING to its end.

    `status` is written only by `sessions_app.services.transitions.session_transition`.
    """

    request_id = models.CharField(max_length=32, unique=True, default=new_request_id)
    # `pending-<request_id>` until central assigns its own id; unique either way.
    session_id = models.CharField(max_length=64, unique=True)
    driver = models.ForeignKey("drivers.Driver", on_delete=models.PROTECT, related_name="sessions")
    charging_point = models.ForeignKey(
        "chargingpoints.ChargingPoint", on_delete=models.PROTECT, related_name="sessions"
    )
    vehicle_id = models.CharField(max_length=64)
    # The point's price (EUR per kWh, VAT included) in force when the request was made: the receipt's unit
    # price and any cost the dashboard works out, unchanged when an operator edits the point's price later.
    price_eur_per_kwh = models.DecimalField(max_digits=8, decimal_places=4)
    preferred_start = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=SessionStatus.choices, default=SessionStatus.PENDING)
    reason = models.CharField(max_length=500, blank=True)
    # Place on the dashboard's waiting list for a busy point (1 = next); None once the request is with central.
    queue_position = models.PositiveIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    # When the request joined the waiting list (None: sent to central at once), and when it was handed to
    # central (the request's time-out counts from then, not from the time it waited in the queue).
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_to_central_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    energy_kwh = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    cost_eur = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    # Central's SessionTicket arrived: energy and cost are final.
    ticket_received_at = models.DateTimeField(null=True, blank=True)
    # The dashboard must still tell central to stop this session (it ended it on its own: cancelled,
    # timed out or inferred failed, while central may still run it).
    central_stop_pending = models.BooleanField(default=False)
    central_stopped_at = models.DateTimeField(null=True, blank=True)
    # The driver asked to stop (recorded before central is called): central's `completed` or ticket that
    # overtakes the API's own write still ends the session STOPPED.
    stop_requested_at = models.DateTimeField(null=True, blank=True)
    # The dashboard ended this session without word from central (time-out, silence, lost at the point):
    # such a FAILED is provisional, and central's own end, arriving later, corrects it.
    ended_by_dashboard = models.BooleanField(default=False)
    # Last sign of life of this session on either channel: the poll showed central running it on its point,
    # or central's Kafka `in_progress` named it (for the silence checks).
    last_seen_at_point = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["driver"],
                # Sorted: a set's order changes with PYTHONHASHSEED, and the migration must not.
                condition=models.Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="one_open_session_per_driver",
                violation_error_message="The driver already has an open session.",
            ),
            models.CheckConstraint(condition=models.Q(status__in=SessionStatus.values), name="session_status_valid"),
            models.CheckConstraint(
                condition=models.Q(energy_kwh__isnull=True) | models.Q(energy_kwh__gte=0),
                name="session_energy_not_negative",
            ),
            models.CheckConstraint(condition=models.Q(price_eur_per_kwh__gte=0), name="session_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="session_status_requested_idx"),
            models.Index(fields=["driver", "status"], name="session_driver_status_idx"),
            models.Index(fields=["charging_point", "status"], name="session_cp_status_idx"),
            models.Index(fields=["charging_point", "queue_position"], name="session_cp_queue_idx"),
        ]

    def save(self, *args, **kwargs):
        if not self.session_id:
            self.session_id = pending_session_id(self.request_id)
        if self.price_eur_per_kwh is None:
            # The price in force now, when the row is created (session_request passes it explicitly).
            self.price_eur_per_kwh = self.charging_point.price_eur_per_kwh
        super().save(*args, **kwargs)

    @property
    def cp_id(self) -> str:
        return self.charging_point.cp_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_central_session_id(self) -> bool:
        return not self.session_id.startswith("pending-")

    def __str__(self):
        return f"{self.request_id} {self.status}"


class SessionTransition(models.Model):
    """History of a session's status changes, written together with the status."""

    class Source(models.TextChoices):
        DRIVER = "DRIVER", "Driver"
        CENTRAL = "CENTRAL", "Central update"
        POLL = "POLL", "Central poll"
        TIMEOUT = "TIMEOUT", "Time-out"
        OPERATOR = "OPERATOR", "Operator"

    session = models.ForeignKey(ChargingSession, on_delete=models.CASCADE, related_name="transitions")
    # Blank for the row that records the creation of the request.
    from_status = models.CharField(max_length=16, choices=SessionStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=SessionStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.session_id}: {self.from_status} → {self.to_status}"
