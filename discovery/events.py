"""The `point` event of the page's live updates: a point whose status changed, with what its card shows."""

from common.datetimes import iso_z
from discovery.selectors import point_live_figures
from events.publish import Event


def point_events(point_pks: list[int]) -> list[Event]:
    """One broadcast `point` event per point (its status, queue and wait as the list answers them now)."""
    return [
        Event(
            "point",
            {
                "cp_id": point.cp_id,
                "status": point.status,
                "queue_length": point.queue_length,
                "estimated_wait_minutes": point.estimated_wait_minutes,
                "last_updated": iso_z(point.last_updated),
            },
        )
        for point in point_live_figures(point_pks)
    ]
