import pytest
from django.db import IntegrityError, transaction

from sessions_app.models import ChargingSession
from sessions_app.status import SessionStatus
from tests.factories import ChargingPointFactory, ChargingSessionFactory, DriverFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("open_status", [SessionStatus.PENDING, SessionStatus.APPROVED, SessionStatus.CHARGING])
def test_database_refuses_a_second_open_session_for_one_driver(open_status):
    first = ChargingSessionFactory(status=open_status)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargingSession.objects.create(
            driver=first.driver, charging_point=ChargingPointFactory(), vehicle_id="v", status=SessionStatus.PENDING
        )
    assert ChargingSession.objects.filter(driver=first.driver).count() == 1


def test_finished_sessions_do_not_block_a_new_open_one():
    driver = DriverFactory()
    for status in (SessionStatus.COMPLETED, SessionStatus.CANCELLED, SessionStatus.DENIED):
        ChargingSessionFactory(driver=driver, status=status)
    ChargingSessionFactory(driver=driver, status=SessionStatus.PENDING)
    assert ChargingSession.objects.filter(driver=driver).count() == 4


def test_two_drivers_may_each_have_an_open_session():
    ChargingSessionFactory(status=SessionStatus.CHARGING)
    ChargingSessionFactory(status=SessionStatus.CHARGING)
    assert ChargingSession.objects.filter(status=SessionStatus.CHARGING).count() == 2


def test_request_id_and_pending_session_id_are_generated_and_unique():
    session = ChargingSessionFactory()
    assert session.request_id.startswith("req-") and len(session.request_id) == 12
    assert session.session_id == f"pending-{session.request_id}"
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargingSessionFactory(request_id=session.request_id, status=SessionStatus.COMPLETED)


def test_central_session_id_is_unique():
    ChargingSessionFactory(session_id="session-0000abcd", status=SessionStatus.COMPLETED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargingSessionFactory(session_id="session-0000abcd", status=SessionStatus.COMPLETED)


def test_database_refuses_an_unknown_status():
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargingSessionFactory(status="PAUSED")
