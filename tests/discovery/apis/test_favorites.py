"""GET/POST /drivers/{driver_id}/favorites and DELETE /drivers/{driver_id}/favorites/{cp_id}."""

from drivers.models import Favorite
from tests.factories import ChargingPointFactory, FavoriteFactory

URL = "/drivers/driver-alice/favorites"


def test_add_list_and_remove_a_favorite(alice, alice_client, cp):
    assert alice_client.get(URL).json() == []

    added = alice_client.post(URL, {"cp_id": "CP-001"}, format="json")

    assert (added.status_code, added.content) == (204, b"")
    assert alice_client.get(URL).json() == [
        {
            "cp_id": "CP-001",
            "name": "Downtown Fast Charger",
            "status": "FREE",
            "power_kw": 50.0,
            "connector_type": "CCS",
            "location": {
                "address": "123 Main St",
                "city": "Springfield",
                "latitude": 42.1015,
                "longitude": -72.5898,
                "distance_km": None,
            },
            "queue_length": 0,
            "estimated_wait_minutes": 0,
            "favorite": True,
        }
    ]

    removed = alice_client.delete(f"{URL}/CP-001")

    assert (removed.status_code, removed.content) == (204, b"")
    assert alice_client.get(URL).json() == []
    assert not Favorite.objects.exists()


def test_adding_twice_is_fine(alice, alice_client, cp):
    assert alice_client.post(URL, {"cp_id": "CP-001"}, format="json").status_code == 204
    assert alice_client.post(URL, {"cp_id": "CP-001"}, format="json").status_code == 204
    assert Favorite.objects.filter(driver=alice).count() == 1


def test_favorites_use_the_home_position_for_distance(alice, alice_client, cp):
    alice.home_latitude, alice.home_longitude = 42.3601, -71.0589
    alice.save()
    FavoriteFactory(driver=alice, charging_point=cp)

    assert alice_client.get(URL).json()[0]["location"]["distance_km"] == 129.3


def test_unknown_point_is_a_404(alice_client, cp):
    added = alice_client.post(URL, {"cp_id": "CP-999"}, format="json")
    removed = alice_client.delete(f"{URL}/CP-999")

    assert (added.status_code, added.json()) == (404, {"detail": "Charging point not found"})
    assert (removed.status_code, removed.json()) == (404, {"detail": "Charging point not found"})


def test_removing_a_point_that_is_not_a_favorite_is_fine(alice_client, cp):
    assert alice_client.delete(f"{URL}/CP-001").status_code == 204


def test_missing_cp_id_is_a_400(alice_client, cp):
    response = alice_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid request payload",
        "cp_id": ["This field is required."],
        "errors": {"cp_id": ["This field is required."]},
    }


def test_favorites_are_per_driver(alice, bob, alice_client, bob_client, cp):
    FavoriteFactory(driver=bob, charging_point=cp)

    assert alice_client.get(URL).json() == []
    assert bob_client.get(URL).json() == {"detail": "Driver not found"}
    assert bob_client.post(URL, {"cp_id": "CP-001"}, format="json").status_code == 404
    assert bob_client.delete(f"{URL}/CP-001").status_code == 404
    assert not Favorite.objects.filter(driver=alice).exists()
    assert Favorite.objects.filter(driver=bob).count() == 1


def test_favorites_query_count_does_not_grow(alice, alice_client, django_assert_num_queries):
    for _ in range(12):
        FavoriteFactory(driver=alice, charging_point=ChargingPointFactory())
        ChargingPointFactory()

    # Token with user and driver (one query), the annotated points, the session lengths behind the wait estimates
    # (per point, per class).
    with django_assert_num_queries(4):
        assert len(alice_client.get(URL).json()) == 12
