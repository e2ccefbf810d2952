"""The API's response cache: a polled read that nothing has changed is answered from Redis, not by the view.

Why: a poll of `sessions/current` or `/charging-points` costs 2–10 ms of CPU in Django, DRF, the queries and the
serializer, and nearly every poll answers what the last one did. Here an answer is kept, per token and request, with
the *data versions* of every table it was computed from (events/versions.py: any write to a table, in any
process, moves its version). The next identical request reads the versions and the answer in one Redis round trip
and, when every version still holds, gets the stored bytes — headers and all, with a 304 when its `If-None-Match`
names the stored `ETag` — without Django's other middleware, DRF or a query.

What an answer depends on is recorded, not declared: the tables every statement of the view named
(`versions_recording`), plus what reaches the view without a statement — the token, its user and driver (answered
from the token cache) and, for the lists of points, the session history behind the cached wait estimates. An
answer whose view wrote anything is not kept. What moves with the clock alone — a wait estimate's next minute, an
alert starting or ending, a watch expiring — each reader declares (`events.versions.answer_holds_until`): the
answer is kept until the first such moment, and never past API_RESPONSE_CACHE_SECONDS.

Only the endpoints pages and apps poll, only `GET` with `Authorization: Token …` and no session cookie (the web
page signs in with a cookie and uses the event stream), only 200 JSON answers computed for that very token. The
key holds the token's digest, the full path and query, and the headers the answer varies on (`Accept`,
`Accept-Encoding`, `Origin`), so two tokens — two drivers — never share an answer. With Redis away every request
runs the view, as before.

First in MIDDLEWARE, so a stored answer carries every header the rest of the stack added.
"""

import hashlib
import json
from typing import NamedTuple

import redis
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response
from rest_framework.authtoken.models import Token

from events.versions import namespace, store, versions_key, versions_recording

# What reaches every view without a statement of its own: the token cache answers the token, user and driver.
AUTH_TABLES = ("authtoken_token", "auth_user", "drivers_driver")
# Cached outside the database: the wait estimates' history (discovery/waits.py) comes from finished sessions.
WAIT_HISTORY_TABLES = ("sessions_app_chargingsession",)


class Route(NamedTuple):
    extra_tables: tuple[str, ...] = ()


# The polled reads (URL names). Everything else — writes, receipts, the admin, the page — passes through.
ROUTES = {
    "charging-point-list": Route(WAIT_HISTORY_TABLES),
    "charging-point-detail": Route(WAIT_HISTORY_TABLES),
    "favorite-list": Route(WAIT_HISTORY_TABLES),
    "queue-place": Route(WAIT_HISTORY_TABLES),
    "session-current": Route(WAIT_HISTORY_TABLES),
    "watch-list": Route(),
    "alert-list": Route(),
    "notification-list": Route(),
    "session-history": Route(),
}
_LEFT_OUT_HEADERS = frozenset({"set-cookie", "date"})
_BODY_HEADERS = frozenset({"content-length", "content-type", "content-encoding"})


class _Lookup(NamedTuple):
    token: str
    route: Route
    key: str


def _token_of(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    words = header.split()
    if len(words) != 2 or words[0] != "Token":
        return None
    return words[1]


def _lookup(request) -> _Lookup | None:
    """The cache key of a request the cache may answer, or None."""
    if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    token = _token_of(request)
    if token is None:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    route = ROUTES.get(match.url_name)
    if route is None:
        return None
    meta = request.META
    parts = (
        hashlib.sha256(token.encode()).hexdigest(),
        request.get_full_path(),
        meta.get("HTTP_ACCEPT", ""),
        meta.get("HTTP_ACCEPT_ENCODING", ""),
        meta.get("HTTP_ORIGIN", ""),
    )
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return _Lookup(token=token, route=route, key=f"{namespace()}answer:{digest}")


class _Stored(NamedTuple):
    versions: dict
    holds_until: float | None  # when the clock alone changes it (a timestamp), or None
    headers: list
    body: bytes


def _encode(stored: _Stored) -> bytes:
    meta = {"v": stored.versions, "u": stored.holds_until, "h": stored.headers}
    return json.dumps(meta, separators=(",", ":")).encode() + b"\0" + stored.body


def _decode(raw: bytes) -> _Stored | None:
    meta, sep, body = raw.partition(b"\0")
    if not sep:
        return None
    try:
        data = json.loads(meta)
        return _Stored(versions=data["v"], holds_until=data["u"], headers=data["h"], body=body)
    except (ValueError, KeyError, TypeError):
        return None


def _still_holds(stored: _Stored, versions: dict, now: float) -> bool:
    if stored.holds_until is not None and now >= stored.holds_until:
        return False
    # A table never written has no version yet: "0", as it was stored.
    return all(versions.get(table, "0") == version for table, version in stored.versions.items())


def _versions_text(raw: dict) -> dict:
    return {table.decode(): value.decode() for table, value in raw.items()}


def _answer(request, stored: _Stored) -> HttpResponse:
    response = HttpResponse(stored.body, status=200)
    for name, value in stored.headers:
        response[name] = value
    return _conditional(request, response)


def _computed_for(request, token: str) -> bool:
    # DRF sets the user and auth it found on the Django request: the answer must be this token's, not a cookie's.
    auth = getattr(request, "auth", None)
    return isinstance(auth, Token) and auth.key == token


class ApiResponseCacheMiddleware:
    """Answers a repeated polled read from Redis while the data it was computed from is unchanged.

    Under ASGI (the events process, which serves only the event stream) it passes requests through without a
    thread hop: a sync-only middleware would push every stream's opening through Django's sync thread.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        if settings.API_RESPONSE_CACHE_SECONDS <= 0:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.get_response(request)  # a coroutine: awaited by the caller
        lookup = _lookup(request)
        client = store.client() if lookup is not None else None
        if client is None:
            return self.get_response(request)
        try:
            versions_raw, raw = client.pipeline(transaction=False).hgetall(versions_key()).get(lookup.key).execute()
        except redis.RedisError as exc:
            store.failed("reading a cached answer", exc)
            return self.get_response(request)
        versions = _versions_text(versions_raw)
        stored = _decode(raw) if raw else None
        if stored is not None and _still_holds(stored, versions, _now()):
            return _answer(request, stored)
        return self._compute(request, lookup, client, versions)

    def _compute(self, request, lookup: _Lookup, client, versions: dict):
        # Ask for the whole answer (a 304 has no body to keep); the client's condition is applied after.
        if_none_match = request.META.pop("HTTP_IF_NONE_MATCH", None)
        with versions_recording() as recording:
            response = self.get_response(request)
        if if_none_match is not None:
            request.META["HTTP_IF_NONE_MATCH"] = if_none_match
        if (
            response.status_code != 200
            or response.streaming
            or recording.wrote
            or not response.get("Content-Type", "").startswith("application/json")
            or not _computed_for(request, lookup.token)
            or len(response.content) > settings.API_RESPONSE_CACHE_MAX_BYTES
        ):
            return _conditional(request, response)
        tables = recording.tables.union(AUTH_TABLES, lookup.route.extra_tables)
        stored = _Stored(
            # The versions read *before* the view: a write committed meanwhile leaves this answer obsolete.
            versions={table: versions.get(table, "0") for table in sorted(tables)},
            holds_until=recording.holds_until.timestamp() if recording.holds_until is not None else None,
            headers=[[name, value] for name, value in response.items() if name.lower() not in _LEFT_OUT_HEADERS],
            body=response.content,
        )
        try:
            client.set(lookup.key, _encode(stored), ex=settings.API_RESPONSE_CACHE_SECONDS)
        except redis.RedisError as exc:
            store.failed("storing an answer", exc)
        return _conditional(request, response)


def _conditional(request, response):
    """The client's `If-None-Match` applied to a whole 200 answer: its 304 keeps every header the stack added
    (CORS's among them, which Django's own 304 leaves out), less those of the body it does not carry."""
    etag = response.get("ETag") if response.status_code == 200 else None
    if not etag:
        return response
    conditional = get_conditional_response(request, etag=etag, response=response)
    if conditional.status_code == 304:
        for name, value in response.items():
            if name.lower() not in _BODY_HEADERS:
                conditional[name] = value
    return conditional


def _now() -> float:
    # The clock as Django sees it (tests move it), in seconds.
    return timezone.now().timestamp()
