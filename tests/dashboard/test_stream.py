"""`GET /drivers/{driver_id}/events` served by the events process (uvicorn on config.asgi, for real, in a thread),
read over real HTTP: ownership, events after commit only, replay on reconnect, resync, keep-alive."""

import pytest
import redis
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from rest_framework.authtoken.models import Token

from common.activity import activity_forget_mark, activity_key
from notifications.models import Notification
from notifications.services import notification_create
from tests.events_server import EventsServer, SseClient
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def events_server():
    server = EventsServer().start()
    yield server
    server.stop()


@pytest.fixture
def stream(events_server, published):
    """Open a stream: stream(driver_id, token=..., last_event_id=..., headers=...) -> SseClient."""
    opened = []

    def _open(driver_id, *, token=None, last_event_id=None, headers=None):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Token {token}"
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        client = SseClient(f"{events_server.url}/drivers/{driver_id}/events", headers=headers)
        opened.append(client)
        return client

    yield _open
    for client in opened:
        client.close()


def token_of(driver) -> str:
    return Token.objects.get_or_create(user=driver.user)[0].key


def notify(driver, message: str) -> Notification:
    with transaction.atomic():
        note, _ = notification_create(driver=driver, type=Notification.Type.ALERT, message=message)
    return note


def test_without_credentials_the_stream_is_401(stream, alice):
    response = stream("driver-alice")

    assert response.status == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response.response.getheader("WWW-Authenticate") == "Token"


def test_a_bad_token_is_401(stream, alice):
    response = stream("driver-alice", token="0" * 40)

    assert response.status == 401
    assert response.json() == {"detail": "Invalid token."}


def test_another_drivers_stream_and_an_unknown_one_are_404(stream, alice, bob):
    assert stream("driver-bob", token=token_of(alice)).json() == {"detail": "Driver not found"}
    unknown = stream("driver-nobody", token=token_of(alice))

    assert unknown.status == 404
    assert unknown.json() == {"detail": "Driver not found"}


def test_with_a_token_an_event_published_after_commit_arrives(stream, alice, alice_client):
    events = stream("driver-alice", token=token_of(alice))
    assert events.status == 200
    assert events.response.getheader("Content-Type") == "text/event-stream"

    notify(alice, "CP-001 is free now")

    event = events.next()
    assert event.type == "notification"
    assert event.data == alice_client.get("/drivers/driver-alice/notifications").json()[0]
    assert event.data["message"] == "CP-001 is free now"


def test_the_page_session_cookie_opens_the_stream(stream, alice):
    browser = Client()
    browser.force_login(alice.user)
    events = stream("driver-alice", headers={"Cookie": f"sessionid={browser.cookies['sessionid'].value}"})

    notify(alice, "hello")

    assert events.status == 200
    assert events.next().data["message"] == "hello"


def test_nothing_is_sent_for_a_rolled_back_write_nor_for_another_driver(stream, alice, bob):
    events = stream("driver-alice", token=token_of(alice))

    with pytest.raises(RuntimeError), transaction.atomic():
        notification_create(driver=alice, type=Notification.Type.ALERT, message="rolled back")
        raise RuntimeError
    notify(bob, "for bob")
    notify(alice, "committed")

    # The first event alice gets is the committed one: the rolled-back one and bob's were never sent to her.
    assert events.next().data["message"] == "committed"


def test_a_reconnect_with_last_event_id_replays_exactly_what_was_missed(stream, alice, bob, settings):
    alice_token = token_of(alice)
    first = stream("driver-alice", token=alice_token)
    notify(alice, "one")
    seen = first.next()
    first.close()

    # While disconnected: two for alice, one for bob, one broadcast alert.
    notify(alice, "two")
    notify(bob, "not yours")
    from notifications.services import broadcast_alert_upsert_from_central

    with transaction.atomic():
        broadcast_alert_upsert_from_central(
            source_key="evt-replay",
            title="Failure",
            message="Grid down",
            severity="CRITICAL",
            effective_at=__import__("django.utils.timezone").utils.timezone.now(),
        )
    notify(alice, "three")

    again = stream("driver-alice", token=alice_token, last_event_id=seen.id)
    replayed = [again.next() for _ in range(3)]
    assert [(e.type, e.data.get("message")) for e in replayed] == [
        ("notification", "two"),
        ("alert", "Grid down"),
        ("notification", "three"),
    ]
    ids = [seen.id] + [e.id for e in replayed]
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-")))) and len(set(ids)) == 4

    notify(alice, "four")  # live after the replay: no gap, no duplicate
    assert again.next().data["message"] == "four"
    assert again.nothing_within(0.5)


def test_a_last_event_id_older_than_the_stream_gets_resync(stream, alice, settings):
    for n in range(5):
        notify(alice, f"old {n}")
    client = redis.Redis.from_url(settings.EVENTS_REDIS_URL)
    entries = client.xrange(settings.EVENTS_STREAM)
    client.xtrim(settings.EVENTS_STREAM, maxlen=1, approximate=False)  # as MAXLEN does once the stream is full
    oldest = entries[0][0].decode()

    events = stream("driver-alice", token=token_of(alice), last_event_id=oldest)
    resync = events.next()
    assert (resync.type, resync.data) == ("resync", {})
    assert resync.id == entries[-1][0].decode()  # a reconnect after it continues from here

    notify(alice, "new")
    assert events.next().data["message"] == "new"


@pytest.mark.parametrize("last_event_id", ["not-an-id", "99999999999999-0"])
def test_an_unknown_last_event_id_gets_resync(stream, alice, last_event_id):
    notify(alice, "something")

    events = stream("driver-alice", token=token_of(alice), last_event_id=last_event_id)

    assert events.next().type == "resync"


def test_an_idle_stream_gets_keep_alive_comments(stream, alice, settings):
    settings.EVENTS_KEEPALIVE_SECONDS = 0.2

    events = stream("driver-alice", token=token_of(alice))
    assert events.nothing_within(0.7)

    assert events.comments[0] == "connected"
    assert events.comments.count("keep-alive") >= 2


def test_the_web_process_answers_503_naming_the_events_process(alice_client, anon_client, bob):
    assert anon_client.get("/drivers/driver-alice/events").status_code == 401
    assert alice_client.get("/drivers/driver-bob/events").json() == {"detail": "Driver not found"}

    response = alice_client.get("/drivers/driver-alice/events")

    assert response.status_code == 503
    assert "served by the events process" in response.json()["detail"]
    assert ":8101/drivers/driver-alice/events" in response.json()["detail"]


def test_open_streams_hold_no_database_connection(stream, alice):
    from django.db import connection

    def connections_to_the_test_database() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return cursor.fetchone()[0]

    browser = Client()
    browser.force_login(alice.user)
    cookie = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}  # read from the database every time
    before = connections_to_the_test_database()
    streams = [stream("driver-alice", headers=cookie) for _ in range(5)]
    assert all(s.status == 200 for s in streams)

    assert connections_to_the_test_database() <= before + 1


def test_only_get_is_allowed(alice_client):
    response = alice_client.post("/drivers/driver-alice/events")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"detail": 'Method "POST" not allowed.'}


def test_an_open_stream_keeps_the_driver_marked_active(stream, alice, settings, fake_central):
    # The poll of central keeps its full pace while a page is open (common/activity.py, central/sync/demand.py).
    settings.CENTRAL_POLL_ACTIVE_SECONDS = 60
    activity_forget_mark()
    events = stream("driver-alice", token=token_of(alice))
    assert events.status == 200
    assert cache.get(activity_key()) is not None  # the opening request

    cache.delete(activity_key())  # as if the marker had run out while the stream stayed open
    activity_forget_mark()
    notify(alice, "wakes the events loop")  # (else it wakes by itself within 5 s)

    wait_for(lambda: cache.get(activity_key()) is not None, 10.0, "the open stream to mark activity again")
    activity_forget_mark()
