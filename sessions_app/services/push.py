"""The page's live `session` event: after commit, the driver's `GET …/sessions/current` body as it is then.

Built after the commit, from what was committed: the page renders the event as it renders the poll's answer.
Several changes of one driver in one transaction each publish the state after all of them (harmless repeats).
"""

from common.schema import NullableJSONRenderer
from events.publish import Event, events_publish_on_commit
from sessions_app.models import ChargingSession
from sessions_app.selectors import session_current
from sessions_app.serializers import SessionSerializer


def _current_body(driver_pk: int) -> bytes:
    session = session_current(driver=driver_pk)
    return NullableJSONRenderer().render(SessionSerializer(session).data if session is not None else None)


def session_event_publish(*, driver) -> None:
    """Publish the driver's current session after commit (any change the `sessions/current` body shows)."""
    driver_pk, driver_id = driver.pk, driver.driver_id
    events_publish_on_commit(lambda: [Event("session", _current_body(driver_pk), driver_id)])


def session_event_publish_for_point_session(*, cp_pk: int, session_id: str) -> None:
    """As `session_event_publish`, for the session central names at a point (the telemetry knows no driver)."""

    def build():
        owner = (
            ChargingSession.objects.filter(charging_point_id=cp_pk, session_id=session_id)
            .values_list("driver_id", "driver__driver_id")
            .first()
        )
        return [Event("session", _current_body(owner[0]), owner[1])] if owner else []

    events_publish_on_commit(build)
