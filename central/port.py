"""The adapter through which the domain apps reach central (see `sessions_app.ports.CentralPort`)."""

import logging

from django.conf import settings

from central.gateway.http import central_stop_session
from central.gateway.messages import DriverRequest
from central.sync.outbox import outbox_enqueue
from central.tasks import stop_abandoned_session_at_central

logger = logging.getLogger(__name__)


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
        """Queue the stop (call after commit). Never raises: with Celery's broker down, the periodic
        `stop_abandoned_sessions` retries every session still marked central_stop_pending."""
        try:
            stop_abandoned_session_at_central.delay(session_pk)
        except Exception as exc:
            logger.warning("could not queue the central stop of session %s: %s", session_pk, exc)
