"""What the poll's view of central means for drivers watching busy points ("tell me when it's free")."""

from drivers.services import watches_claim_free_points
from notifications.services import notification_point_free_for_watcher
from sessions_app.services.queue import queues_with_waiting


def watchers_notify_free_points(*, now=None) -> int:
    """Each active watch whose point is FREE now ends, and its driver gets one ALERT. Returns how many.

    Called by the poll inside its transaction, after the picture is applied: the watch's end and the
    notification commit together. The claim is a conditional UPDATE and the notification is deduplicated
    on the watch, so a replayed or overlapping poll notifies nobody twice. A point with drivers on its waiting
    list is not free for a watcher: the head of the queue takes it; the watch fires once nobody waits.
    """
    notified = 0
    for watch in watches_claim_free_points(now=now, skip_point_pks=queues_with_waiting()):
        _, created = notification_point_free_for_watcher(watch=watch)
        notified += created
    return notified
