"""Sign-in is rate-limited (django-axes): too many wrong passwords for one username from one address lock
that pair out for a while, the right password included; other users, other addresses and tokens are unaffected."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import _client_for

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
LIMIT = 5
LOCKED = "Too many failed sign-in attempts"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _sign_in(client: Client, username: str, password: str, path: str = "/login/", accept: str = BROWSER_ACCEPT):
    return client.post(path, {"username": username, "password": password, "next": "/"}, HTTP_ACCEPT=accept)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client: Client, username: str, times: int, path: str = "/login/"):
    return [_sign_in(client, username, "wrong-password", path).status_code for _ in range(times)]


def test_wrong_passwords_lock_the_username_and_the_right_one_is_refused(alice):
    client = Client()

    assert _fail(client, "alice", LIMIT) == [200] * (LIMIT - 1) + [429]
    response = _sign_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert not _signed_in(client)
    page = response.content.decode()
    assert LOCKED in page
    assert 'name="username"' in page and 'value="alice"' in page  # the sign-in page, with the reason


def test_fewer_failures_than_the_limit_do_not_lock(alice):
    client = Client()
    _fail(client, "alice", LIMIT - 1)

    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_a_successful_sign_in_starts_the_count_again(alice):
    client = Client()
    _fail(client, "alice", LIMIT - 1)
    _sign_in(client, "alice", PASSWORD)
    client.logout()

    assert _fail(client, "alice", LIMIT - 1) == [200] * (LIMIT - 1)
    assert _sign_in(client, "alice", PASSWORD).status_code == 302


def test_another_user_from_the_same_address_is_not_affected(alice, bob):
    _fail(Client(), "alice", LIMIT)
    client = Client()

    assert _sign_in(client, "bob", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_the_same_user_from_another_address_is_not_affected(alice):
    _fail(Client(), "alice", LIMIT)
    client = Client(REMOTE_ADDR="192.0.2.20")

    assert _sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(alice, settings):
    _fail(Client(), "alice", LIMIT)
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - timedelta(seconds=1))
    client = Client()

    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_token_api_calls_work_while_the_sign_in_is_locked(alice):
    _fail(Client(), "alice", LIMIT)

    assert _client_for(alice).get("/drivers/driver-alice/favorites").status_code == 200


def test_json_clients_get_a_json_answer(alice):
    _fail(Client(), "alice", LIMIT)

    response = _sign_in(Client(), "alice", PASSWORD, accept="application/json")

    assert response.status_code == 429
    assert response.json()["detail"].startswith(LOCKED)
    assert int(response["Retry-After"]) > 0


def test_the_admin_sign_in_is_limited_too(db):
    get_user_model().objects.create_superuser("operator", "op@example.com", "operator-pass-1")
    client = Client()

    assert _fail(client, "operator", LIMIT, path="/admin/login/")[-1] == 429
    response = _sign_in(client, "operator", "operator-pass-1", path="/admin/login/?next=/admin/")

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not _signed_in(client)


def test_a_locked_out_browser_session_stays_usable_with_its_existing_login(alice):
    # Already signed in elsewhere: the lock is on signing in, not on the session.
    signed_in = APIClient()
    signed_in.force_login(alice.user)
    _fail(Client(), "alice", LIMIT)

    assert signed_in.get("/drivers/driver-alice/favorites").status_code == 200
