"""GET /drivers/{driver_id}/sessions/history."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sessions_app.status import SessionStatus
from tests.factories import ChargingSessionFactory

URL = "/drivers/driver-alice/sessions/history"
NOON = datetime(2025, 10, 25, 12, tzinfo=UTC)


@pytest.fixture
def history(alice, cp):
    """Three finished sessions of alice (oldest first) and an open one."""
    sessions = [
        ChargingSessionFactory(
            driver=alice,
            charging_point=cp,
            request_id=f"req-{day}",
            session_id=f"session-{day}",
            status=SessionStatus.COMPLETED,
            started_at=NOON + timedelta(days=day),
            completed_at=NOON + timedelta(days=day, minutes=30),
            energy_kwh=Decimal("25.5000"),
            cost_eur=Decimal("10.7100"),
        )
        for day in range(3)
    ]
    ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.PENDING)
    return sessions


def test_history_lists_finished_sessions_newest_first_with_receipts(alice_client, history):
    response = alice_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert [item["session_id"] for item in body] == ["session-2", "session-1", "session-0"]
    assert body[0] == {
        "session_id": "session-2",
        "request_id": "req-2",
        "cp_id": "CP-001",
        "status": "COMPLETED",
        "started_at": "2025-10-27T12:00:00Z",
        "completed_at": "2025-10-27T12:30:00Z",
        "energy_kwh": 25.5,
        "cost_eur": 10.71,
        "receipt_url": "/receipts/session-2.pdf",
    }


def test_denied_request_appears_with_null_figures(alice, alice_client, cp):
    denied = ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.DENIED, completed_at=NOON)

    body = alice_client.get(URL).json()

    assert body == [
        {
            "session_id": denied.session_id,
            "request_id": denied.request_id,
            "cp_id": "CP-001",
            "status": "DENIED",
            "started_at": None,
            "completed_at": "2025-10-25T12:00:00Z",
            "energy_kwh": None,
            "cost_eur": None,
            "receipt_url": None,  # nothing was delivered: no receipt
        }
    ]


def test_cost_keeps_four_decimals(alice, alice_client, cp):
    ChargingSessionFactory(
        driver=alice, charging_point=cp, status=SessionStatus.STOPPED, completed_at=NOON, cost_eur=Decimal("0.0123")
    )

    assert alice_client.get(URL).json()[0]["cost_eur"] == 0.0123


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("limit=1", ["session-2"]),
        ("limit=2&offset=1", ["session-1", "session-0"]),
        ("offset=2", ["session-0"]),
        ("offset=5", []),
    ],
)
def test_limit_and_offset_page_through_a_plain_list(alice_client, history, query, expected):
    response = alice_client.get(f"{URL}?{query}")

    assert response.status_code == 200
    assert [item["session_id"] for item in response.json()] == expected


@pytest.mark.parametrize(
    ("query", "field"), [("limit=0", "limit"), ("limit=ten", "limit"), ("limit=1001", "limit"), ("offset=-1", "offset")]
)
def test_invalid_paging_is_a_400(alice_client, history, query, field):
    response = alice_client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid request payload"
    assert field in response.json()


def test_history_is_per_driver(alice_client, bob_client, history):
    assert bob_client.get("/drivers/driver-bob/sessions/history").json() == []
    assert bob_client.get(URL).status_code == 404


def test_history_query_count_does_not_grow(alice, alice_client, cp, django_assert_num_queries):
    for _ in range(10):
        ChargingSessionFactory(driver=alice, charging_point=cp, status=SessionStatus.COMPLETED, completed_at=NOON)

    # The token with its user and driver (one joined query), the sessions joined with their points.
    with django_assert_num_queries(2):
        assert len(alice_client.get(URL).json()) == 10


def test_an_absurd_offset_is_a_clear_400_not_a_database_error(alice_client):
    response = alice_client.get("/drivers/driver-alice/sessions/history", {"offset": "63236468728999748567040"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid request payload"
    assert "offset" in response.json()["errors"]
