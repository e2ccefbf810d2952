"""The adapter through which the domain apps reach central (see `sessions_app.ports.CentralPort`)."""

from django.conf import settings

from central.gateway.http import central_stop_session
from central.gateway.messages import DriverRequest
from central.sync.outbox import outbox_enqueue
from central.sync.stops import session_stop_at_central_soon


class CentralAdapter:
    def request_created(self, session) -> None:
        outbox_enqueue(
            topic=settings.KAFKA_TOPIC_REQUESTS,
            key=session.driver.driver_id,
            payload=DriverRequest.for_session(session).to_wire(),
            session=session,
        )

    def stop_session(self, *, cp_id: str, driver_id: str, session_id: str) -> None:
        central_stop_session(cp_id=cp_id, driver_id=driver_id, session_id=session_id)

    def stop_owed(self, session_pk: int) -> None:
        session_stop_at_central_soon(session_pk)
