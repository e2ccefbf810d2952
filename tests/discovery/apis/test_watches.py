"""POST/GET /drivers/{driver_id}/watches and DELETE /drivers/{driver_id}/watches/{cp_id}."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from chargingpoints.models import PointStatus
from common.datetimes import iso_z
from drivers.models import Watch
from tests.factories import ChargingPointFactory

URL = "/drivers/driver-alice/watches"


@pytest.fixture
def busy(db):
    return ChargingPointFactory(cp_id="CP-003", name="Mall Charger", status=PointStatus.OCCUPIED)


def test_watch_a_busy_point_list_it_and_remove_it(alice, alice_client, busy, settings):
    settings.WATCH_EXPIRY_SECONDS = 600
    assert alice_client.get(URL).json() == []

    added = alice_client.post(URL, {"cp_id": "CP-003"}, format="json")

    watch = Watch.objects.get(driver=alice, charging_point=busy)
    expected = {
        "cp_id": "CP-003",
        "name": "Mall Charger",
        "point_status": "OCCUPIED",
        "created_at": iso_z(watch.created_at),
        "expires_at": iso_z(watch.created_at + timedelta(seconds=600)),
    }
    assert (added.status_code, added.json()) == (201, expected)
    assert watch.expires_at - watch.created_at == timedelta(seconds=600)
    assert alice_client.get(URL).json() == [expected]

    removed = alice_client.delete(f"{URL}/CP-003")

    assert (removed.status_code, removed.content) == (204, b"")
    assert alice_client.get(URL).json() == []
    watch.refresh_from_db()
    assert watch.ended_at is not None and watch.end_reason == Watch.EndReason.CANCELLED


def test_an_offline_point_can_be_watched(alice_client, db):
    ChargingPointFactory(cp_id="CP-006", status=PointStatus.OFFLINE)

    response = alice_client.post(URL, {"cp_id": "CP-006"}, format="json")

    assert (response.status_code, response.json()["point_status"]) == (201, "OFFLINE")


def test_watching_again_answers_200_with_the_same_watch(alice, alice_client, busy):
    first = alice_client.post(URL, {"cp_id": "CP-003"}, format="json")
    second = alice_client.post(URL, {"cp_id": "CP-003"}, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Watch.objects.filter(driver=alice).count() == 1


def test_the_database_holds_one_active_watch_per_driver_and_point(alice, busy):
    now = timezone.now()
    Watch.objects.create(driver=alice, charging_point=busy, expires_at=now + timedelta(hours=1))

    with pytest.raises(IntegrityError), transaction.atomic():
        Watch.objects.create(driver=alice, charging_point=busy, expires_at=now + timedelta(hours=1))
    # Ended watches do not count: the driver can watch the point again.
    Watch.objects.filter(driver=alice).update(ended_at=now, end_reason=Watch.EndReason.FREE)
    Watch.objects.create(driver=alice, charging_point=busy, expires_at=now + timedelta(hours=1))
    assert Watch.objects.filter(driver=alice, ended_at__isnull=True).count() == 1


def test_a_free_point_cannot_be_watched(alice, alice_client, cp):
    response = alice_client.post(URL, {"cp_id": "CP-001"}, format="json")

    message = ["CP-001 is free now: request a charge instead of watching it."]
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Charging point is already free", "cp_id": message, "errors": {"cp_id": message}},
    )
    assert not Watch.objects.exists()


def test_watch_after_remove_starts_a_new_one(alice, alice_client, busy):
    first = alice_client.post(URL, {"cp_id": "CP-003"}, format="json").json()
    alice_client.delete(f"{URL}/CP-003")

    again = alice_client.post(URL, {"cp_id": "CP-003"}, format="json")

    assert again.status_code == 201
    assert again.json()["created_at"] >= first["created_at"]
    assert Watch.objects.filter(driver=alice).count() == 2
    assert Watch.objects.filter(driver=alice, ended_at__isnull=True).count() == 1


def test_an_expired_watch_is_not_listed_and_a_new_one_replaces_it(alice, alice_client, busy):
    alice_client.post(URL, {"cp_id": "CP-003"}, format="json")
    old = Watch.objects.get(driver=alice)
    Watch.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=3), expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert alice_client.get(URL).json() == []
    again = alice_client.post(URL, {"cp_id": "CP-003"}, format="json")

    assert again.status_code == 201
    old.refresh_from_db()
    assert (old.end_reason, old.ended_at is not None) == (Watch.EndReason.EXPIRED, True)
    assert [w["cp_id"] for w in alice_client.get(URL).json()] == ["CP-003"]


def test_unknown_point_is_a_404(alice_client, busy):
    added = alice_client.post(URL, {"cp_id": "CP-999"}, format="json")
    removed = alice_client.delete(f"{URL}/CP-999")

    assert (added.status_code, added.json()) == (404, {"detail": "Charging point not found"})
    assert (removed.status_code, removed.json()) == (404, {"detail": "Charging point not found"})


def test_removing_a_point_that_is_not_watched_is_fine(alice_client, busy):
    assert alice_client.delete(f"{URL}/CP-003").status_code == 204


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "This field is required."),
        ({"cp_id": ""}, "This field may not be blank."),
        ({"cp_id": None}, "This field may not be null."),
        ({"cp_id": ["CP-003"]}, "Not a valid string."),
        ({"cp_id": "C" * 65}, "Ensure this field has no more than 64 characters."),
    ],
)
def test_bad_input_is_a_400_naming_the_field(alice_client, busy, body, message):
    response = alice_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid request payload",
        "cp_id": [message],
        "errors": {"cp_id": [message]},
    }
    assert not Watch.objects.exists()


def test_watches_are_per_driver(alice, bob, alice_client, bob_client, busy):
    alice_client.post(URL, {"cp_id": "CP-003"}, format="json")

    assert bob_client.get(URL).json() == {"detail": "Driver not found"}
    assert bob_client.post(URL, {"cp_id": "CP-003"}, format="json").status_code == 404
    assert bob_client.delete(f"{URL}/CP-003").status_code == 404
    assert bob_client.get("/drivers/driver-bob/watches").json() == []
    assert Watch.objects.get(driver=alice).ended_at is None
    assert not Watch.objects.filter(driver=bob).exists()


def test_two_drivers_watch_the_same_point(alice, bob, alice_client, bob_client, busy):
    assert alice_client.post(URL, {"cp_id": "CP-003"}, format="json").status_code == 201
    assert bob_client.post("/drivers/driver-bob/watches", {"cp_id": "CP-003"}, format="json").status_code == 201

    alice_client.delete(f"{URL}/CP-003")

    assert [w["cp_id"] for w in bob_client.get("/drivers/driver-bob/watches").json()] == ["CP-003"]


def test_anonymous_is_a_401(anon_client, alice, busy):
    assert anon_client.get(URL).status_code == 401
    assert anon_client.post(URL, {"cp_id": "CP-003"}, format="json").status_code == 401
    assert anon_client.delete(f"{URL}/CP-003").status_code == 401


def test_watches_query_count_does_not_grow(alice, alice_client, django_assert_num_queries):
    expires = timezone.now() + timedelta(hours=1)
    for _ in range(12):
        point = ChargingPointFactory(status=PointStatus.OCCUPIED)
        Watch.objects.create(driver=alice, charging_point=point, expires_at=expires)

    with django_assert_num_queries(2):
        assert len(alice_client.get(URL).json()) == 12
