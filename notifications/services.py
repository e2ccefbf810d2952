"""Writes of notifications and broadcast alerts."""

from django.db import IntegrityError, transaction

from common.errors import NotFoundError
from drivers.models import Driver, Watch
from events.publish import Event, events_publish_on_commit
from notifications.models import BroadcastAlert, Notification
from notifications.serializers import AlertSerializer, NotificationSerializer


def notification_create(
    *,
    driver: Driver,
    type: str,
    message: str,
    session=None,
    dedupe_key: str | None = None,
) -> tuple[Notification, bool]:
    """Create a notification; with `dedupe_key`, at most one per (driver, key) ever exists.

    Returns (notification, created). Safe to call twice for the same event.
    """
    if dedupe_key:
        existing = Notification.objects.filter(driver=driver, dedupe_key=dedupe_key).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                driver=driver, type=type, message=message[:500], session=session, dedupe_key=dedupe_key
            )
    except IntegrityError:
        # A concurrent writer stored the same event first.
        return Notification.objects.get(driver=driver, dedupe_key=dedupe_key), False
    # The page's live `notification` event: the item as the list answers it, once the notification is committed.
    event = Event("notification", dict(NotificationSerializer(note).data), driver.driver_id)
    events_publish_on_commit(lambda: [event])
    return note, True


def notification_for_session(*, session, message: str, dedupe_key: str) -> tuple[Notification, bool]:
    """The driver's SESSION notification about one of their sessions (its status, its final figures)."""
    return notification_create(
        driver=session.driver, type=Notification.Type.SESSION, message=message, session=session, dedupe_key=dedupe_key
    )


def notification_queue(*, session, message: str) -> tuple[Notification, bool]:
    """A QUEUE notification: the driver's place on a point's waiting list changed (one per change)."""
    return notification_create(driver=session.driver, type=Notification.Type.QUEUE, message=message, session=session)


def notification_alert_for_session(
    *, session, message: str, dedupe_key: str, driver: Driver | None = None
) -> tuple[Notification, bool]:
    """An ALERT to the driver of a session about something around it (its point offline, central away)."""
    return notification_create(
        driver=driver or session.driver,
        type=Notification.Type.ALERT,
        message=message,
        session=session,
        dedupe_key=dedupe_key,
    )


def notification_point_free_for_watcher(*, watch: Watch) -> tuple[Notification, bool]:
    """The ALERT a watching driver gets when their watched point turns FREE; once per watch (deduplicated
    on the watch), however often it is called."""
    point = watch.charging_point
    return notification_create(
        driver=watch.driver,
        type=Notification.Type.ALERT,
        message=f"{point.cp_id} ({point.name}) is free now: request a charge before someone else does",
        dedupe_key=f"watch-free:{watch.pk}",
    )


def notifications_with_key(dedupe_key: str) -> list[Notification]:
    """The notifications already sent for one event (e.g. the drivers told central is away)."""
    return list(Notification.objects.select_related("driver", "session").filter(dedupe_key=dedupe_key))


def notification_mark_read(*, driver: Driver, notification_id: str) -> Notification:
    updated = Notification.objects.filter(driver=driver, notification_id=notification_id).update(read=True)
    if not updated:
        raise NotFoundError("Notification not found")
    return Notification.objects.get(driver=driver, notification_id=notification_id)


def notification_mark_all_read(*, driver: Driver) -> int:
    """Mark every unread notification of the driver read; returns how many changed."""
    return Notification.objects.filter(driver=driver, read=False).update(read=True)


def broadcast_alert_upsert_from_central(
    *, source_key: str, title: str, message: str, severity: str, effective_at, charging_points=(), cities=()
) -> tuple[BroadcastAlert, bool]:
    """Store an alert derived from a central system event once, however often the poll sees it."""
    try:
        with transaction.atomic():
            alert, created = BroadcastAlert.objects.get_or_create(
                source_key=source_key,
                defaults={
                    "title": title[:200],
                    "message": message,
                    "severity": severity,
                    "effective_at": effective_at,
                    "source": BroadcastAlert.Source.CENTRAL,
                    "cities": list(cities),
                },
            )
            if created and charging_points:
                alert.charging_points.set(charging_points)
    except IntegrityError:
        return BroadcastAlert.objects.get(source_key=source_key), False
    if created:
        broadcast_alert_publish(alert=alert)
    return alert, created


def broadcast_alert_publish(*, alert: BroadcastAlert) -> None:
    """The page's live `alert` event (to every driver; each page refetches the alerts that concern it), after
    commit. Called for every new alert: the poll's, and an operator's saved in the admin."""
    event = Event("alert", dict(AlertSerializer(alert).data))
    events_publish_on_commit(lambda: [event])
