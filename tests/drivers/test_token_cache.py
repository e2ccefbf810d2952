"""drivers/authentication.py's CachedTokenAuthentication: API tokens (with their user and driver) answered from the
cache, and dropped from it the moment they stop being valid."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from central.gateway.tansu import free_port
from drivers.authentication import token_cache_key

pytestmark = pytest.mark.django_db

CURRENT = "/drivers/driver-alice/sessions/current"

REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ""}}


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request, settings):
    """The test settings' in-process cache, and a real Redis (a database of its own, flushed)."""
    if request.param == "redis":
        settings.CACHES = {"default": {**REDIS_CACHE["default"], "LOCATION": "redis://127.0.0.1:6379/9"}}
    cache.clear()
    yield request.param
    cache.clear()


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def alice_token(alice):
    cache.clear()
    return Token.objects.create(user=alice.user).key


def test_a_deleted_token_is_refused_on_the_next_request(any_cache, alice_token):
    client = _client(alice_token)
    assert client.get(CURRENT).status_code == 200  # now cached

    Token.objects.filter(key=alice_token).delete()
    response = client.get(CURRENT)

    assert (response.status_code, response.json()) == (401, {"detail": "Invalid token."})


def test_a_rotated_token_is_refused_and_the_new_one_works(alice, alice_token):
    old = _client(alice_token)
    assert old.get(CURRENT).status_code == 200

    Token.objects.get(key=alice_token).delete()
    new = _client(Token.objects.create(user=alice.user).key)

    assert old.get(CURRENT).status_code == 401
    assert new.get(CURRENT).status_code == 200


def test_a_deactivated_user_is_refused_on_the_next_request(alice, alice_token):
    client = _client(alice_token)
    assert client.get(CURRENT).status_code == 200

    alice.user.is_active = False
    alice.user.save()
    response = client.get(CURRENT)

    assert (response.status_code, response.json()) == (401, {"detail": "User inactive or deleted."})


def test_a_deleted_user_is_refused_on_the_next_request(alice, alice_token):
    client = _client(alice_token)
    assert client.get(CURRENT).status_code == 200

    alice.delete()
    alice.user.delete()

    assert client.get(CURRENT).status_code == 401


def test_a_changed_driver_is_seen_on_the_next_request(alice, alice_token):
    client = _client(alice_token)
    assert client.get(CURRENT).status_code == 200

    alice.driver_id = "driver-alice-2"
    alice.save()

    assert client.get(CURRENT).status_code == 404
    assert client.get("/drivers/driver-alice-2/sessions/current").status_code == 200


def test_an_unknown_token_is_refused_and_never_cached(alice):
    response = _client("f" * 40).get(CURRENT)

    assert (response.status_code, response.json()) == (401, {"detail": "Invalid token."})
    assert cache.get(token_cache_key("f" * 40)) is None


def test_the_cache_holds_no_token_and_no_password_hash(alice, alice_token):
    _client(alice_token).get(CURRENT)

    snapshot = cache.get(token_cache_key(alice_token))
    assert snapshot is not None
    assert alice_token not in token_cache_key(alice_token)
    assert "password" not in snapshot["user"][0]


def test_a_user_from_the_cache_saves_without_losing_its_password(alice, alice_token):
    from drivers.authentication import CachedTokenAuthentication

    alice.user.set_password("secret-pass-123")
    alice.user.save()
    CachedTokenAuthentication().authenticate_credentials(alice_token)
    user, _ = CachedTokenAuthentication().authenticate_credentials(alice_token)  # from the cache

    user.first_name = "Alice"
    user.save()
    alice.user.refresh_from_db()

    assert alice.user.first_name == "Alice"
    assert alice.user.check_password("secret-pass-123")


def test_a_polled_read_costs_one_query_once_the_token_is_cached(settings, alice_token, django_assert_num_queries):
    settings.API_RESPONSE_CACHE_SECONDS = 0  # the view itself, not the response cache (tests/config)
    client = _client(alice_token)
    client.get(CURRENT)

    # Only the session itself: no token, user or driver lookup (3 queries before the cache).
    with django_assert_num_queries(1):
        assert client.get(CURRENT).status_code == 200


def test_without_the_cache_token_user_and_driver_are_one_query(settings, alice_token, django_assert_num_queries):
    settings.AUTH_TOKEN_CACHE_SECONDS = 0
    settings.API_RESPONSE_CACHE_SECONDS = 0
    client = _client(alice_token)
    client.get(CURRENT)

    with django_assert_num_queries(2):
        assert client.get(CURRENT).status_code == 200
    assert cache.get(token_cache_key(alice_token)) is None


def test_the_charging_point_list_needs_no_lookup_of_token_or_driver(alice_token, cp):
    client = _client(alice_token)
    client.get("/charging-points")

    with CaptureQueriesContext(connection) as captured:
        assert client.get("/charging-points").status_code == 200

    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "authtoken_token" not in tables
    assert "drivers_driver" not in tables


def test_with_redis_unreachable_tokens_are_read_from_the_database(settings, alice_token):
    settings.CACHES = {"default": {**REDIS_CACHE["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}

    response = _client(alice_token).get(CURRENT)

    assert response.status_code == 200
