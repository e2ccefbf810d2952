"""The session status list and the moves allowed between them: the one table every writer obeys."""

from django.db import models


class SessionStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    APPROVED = "APPROVED", "Approved"
    CHARGING = "CHARGING", "Charging"
    COMPLETED = "COMPLETED", "Completed"
    DENIED = "DENIED", "Denied"
    FAILED = "FAILED", "Failed"
    STOPPED = "STOPPED", "Stopped"
    CANCELLED = "CANCELLED", "Cancelled"


OPEN_STATUSES = frozenset({SessionStatus.PENDING, SessionStatus.APPROVED, SessionStatus.CHARGING})
FINISHED_STATUSES = frozenset(set(SessionStatus) - OPEN_STATUSES)

# from -> the statuses it may move to. A finished session never moves again. PENDING may jump to
# CHARGING or COMPLETED because central's `accepted` can be lost or overtaken by later updates.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    SessionStatus.PENDING: frozenset(
        {
            SessionStatus.APPROVED,
            SessionStatus.CHARGING,
            SessionStatus.COMPLETED,
            SessionStatus.DENIED,
            SessionStatus.FAILED,
            SessionStatus.CANCELLED,
        }
    ),
    SessionStatus.APPROVED: frozenset(
        {
            SessionStatus.CHARGING,
            SessionStatus.COMPLETED,
            SessionStatus.FAILED,
            SessionStatus.STOPPED,
            SessionStatus.CANCELLED,
        }
    ),
    SessionStatus.CHARGING: frozenset({SessionStatus.COMPLETED, SessionStatus.FAILED, SessionStatus.STOPPED}),
    **{status: frozenset() for status in FINISHED_STATUSES},
}


# A FAILED that the dashboard inferred (time-out, silence, lost at the point) is provisional: central's own
# `completed` or ticket for that session, arriving later, corrects it. Only for sessions marked
# `ended_by_dashboard` that the dashboard did not stop at central itself.
PROVISIONAL_CORRECTIONS: dict[str, frozenset[str]] = {SessionStatus.FAILED: frozenset({SessionStatus.COMPLETED})}


def is_allowed(from_status: str, to_status: str, *, provisional: bool = False) -> bool:
    if to_status in ALLOWED_TRANSITIONS[from_status]:
        return True
    return provisional and to_status in PROVISIONAL_CORRECTIONS.get(from_status, frozenset())
