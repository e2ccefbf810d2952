"""Central's reasons in the driver's words (sessions_app/wording.py), and the notifications that use them."""

from decimal import Decimal

import pytest

from notifications.models import Notification
from sessions_app.models import SessionTransition
from sessions_app.services.records import final_figures_message
from sessions_app.services.transitions import format_figures, session_transition, status_message
from sessions_app.status import SessionStatus
from sessions_app.wording import plain_reason
from tests.factories import ChargingSessionFactory

CENTRAL = SessionTransition.Source.CENTRAL


@pytest.mark.parametrize(
    "reason,words",
    [
        ("Charging point not available (state: DISCONNECTED)", "This point is offline"),
        ("Charging point not available (state: SUPPLYING)", "This point is in use by someone else"),
        ("Charging point not available (state: BROKEN)", "This point is out of order"),
        ("Charging point not available (state: FAULT)", "This point is out of order"),
        (
            "Charging point not available (state: TURNED_OFF_WEATHER)",
            "This point is switched off because of the weather",
        ),
        # A state central may add later: still no jargon.
        ("Charging point not available (state: SOMETHING_NEW)", "This point is not available right now"),
        ("Charging point not found", "This point is not known to the network"),
        # The dashboard's own reasons are already plain: unchanged.
        (
            "Removed from the queue after waiting 2 hours at CP-001",
            "Removed from the queue after waiting 2 hours at CP-001",
        ),
        ("", "no reason given"),
        (None, "no reason given"),
    ],
)
def test_plain_reason_maps_centrals_states_to_driver_language(reason, words):
    assert plain_reason(reason) == words


@pytest.mark.parametrize(
    "energy,cost,text",
    [
        # Half-up like central: 0.125 -> 0.13 (half-even would say 0.12), 0.005 -> 0.01.
        (Decimal("0.125"), Decimal("0.005"), "0.13 kWh, €0.01"),
        (0.125, 0.035, "0.13 kWh, €0.04"),
        (Decimal("0.1249"), Decimal("0.0449"), "0.12 kWh, €0.04"),
        (Decimal("2.675"), Decimal("1.005"), "2.68 kWh, €1.01"),
        (None, None, "0.00 kWh, €0.00"),
    ],
)
def test_figures_in_messages_round_half_up_as_central_does(energy, cost, text):
    assert format_figures(energy, cost) == text


@pytest.mark.django_db
def test_denied_notification_says_why_in_plain_words():
    session = ChargingSessionFactory(status=SessionStatus.PENDING)
    session_transition(
        session=session, to_status="DENIED", source=CENTRAL, reason="Charging point not available (state: DISCONNECTED)"
    )
    cp = session.charging_point.cp_id
    assert [n.message for n in Notification.objects.filter(driver=session.driver)] == [
        f"Request for {cp} denied: This point is offline"
    ]
    session.refresh_from_db()
    # What central said is kept as it said it (operators and the queue read it).
    assert session.reason == "Charging point not available (state: DISCONNECTED)"


@pytest.mark.django_db
def test_stop_notification_and_final_figures_agree_on_half_up_rounding():
    session = ChargingSessionFactory(
        status=SessionStatus.CHARGING, energy_kwh=Decimal("0.125"), cost_eur=Decimal("0.0375")
    )
    stopped, _ = session_transition(session=session, to_status="STOPPED", source=CENTRAL, reason="Stopped by driver")
    cp = session.charging_point.cp_id
    assert status_message(stopped) == f"Charging stopped at {cp}: 0.13 kWh, €0.04"
    assert final_figures_message(stopped, Decimal("0.125"), Decimal("0.0375")) == (
        f"Final figures for your session at {cp}: 0.13 kWh, €0.04"
    )


@pytest.mark.django_db
def test_failed_notification_puts_centrals_reason_in_plain_words():
    session = ChargingSessionFactory(status=SessionStatus.CHARGING)
    failed, _ = session_transition(
        session=session, to_status="FAILED", source=CENTRAL, reason="Charging point not available (state: FAULT)"
    )
    assert status_message(failed) == f"Session at {session.charging_point.cp_id} failed: This point is out of order"
