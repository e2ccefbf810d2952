"""`GET /drivers/{driver_id}/events`: the driver's live events as server-sent events (README "Push updates").

Served by the events process (uvicorn, config/asgi.py): an async view whose body is an async generator, so one
process holds thousands of open streams without a thread each. Authentication and ownership are the REST API's:
DRF's authenticators (token, session cookie, the single-driver mode) run in a worker thread (they read the
database), then the same rule as every `/drivers/{driver_id}/...` endpoint: not signed in → 401, another
driver's or an unknown id → 404 "Driver not found".

The web process (gunicorn, WSGI) routes the same path with the same checks, then answers 503 naming the events
process: a thread per open stream is exactly what it cannot afford, and the page's EventSource treats the 503 as
a failed stream and keeps polling.
"""

import json
from html import escape

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from redis import RedisError
from rest_framework.exceptions import APIException, NotAuthenticated
from rest_framework.request import Request
from rest_framework.settings import api_settings

from common.errors import DriverNotFound
from drivers.selectors import driver_get_own
from events.stream import dispatcher_for_this_loop, frames


def _error(request, status: int, detail: str, **headers) -> HttpResponse:
    """`{"detail": ...}`, or a small HTML page for a browser that navigated here (as the API's browsable pages)."""
    accept = request.headers.get("Accept", "")
    if "text/html" in accept and "text/event-stream" not in accept:
        page = f"<!DOCTYPE html><title>{status}</title><h1>{status}</h1><p>{escape(detail)}</p>"
        response = HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
    else:
        response = HttpResponse(json.dumps({"detail": detail}), status=status, content_type="application/json")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _check_access(request, driver_id: str) -> HttpResponse | None:
    """None when the request is signed in as `driver_id`'s driver; else the 401/404 answer, as the API gives it.

    Closes its database connection before returning: Django runs each ASGI request's sync code in a thread of its
    own, and a connection kept (CONN_MAX_AGE) by a stream that stays open for hours would hold one PostgreSQL
    connection per open page."""
    try:
        return _access_answer(request, driver_id)
    finally:
        connection.close()


def _access_answer(request, driver_id: str) -> HttpResponse | None:
    authenticators = [authenticator() for authenticator in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    drf_request = Request(request, authenticators=authenticators)
    try:
        user = drf_request.user
    except APIException as exc:
        return _error(
            request, exc.status_code, str(exc.detail), WWW_Authenticate=authenticators[0].authenticate_header(request)
        )
    if user is None or not user.is_authenticated:
        return _error(request, 401, str(NotAuthenticated.default_detail), WWW_Authenticate="Token")
    try:
        driver_get_own(user=user, driver_id=driver_id)
    except DriverNotFound as exc:
        return _error(request, 404, exc.detail)
    return None


def events_url(request) -> str:
    """Where the page opens its stream: EVENTS_URL with `{host}` the host name the page was loaded from."""
    return settings.EVENTS_URL.replace("{host}", request.get_host().rsplit(":", 1)[0])


async def driver_events(request, driver_id: str):
    # Who asks first, whatever the method: another driver's events are a 404 however they are asked for.
    denied = await sync_to_async(_check_access)(request, driver_id)
    if denied is not None:
        return denied
    if request.method != "GET":
        return _error(request, 405, f'Method "{request.method}" not allowed.', Allow="GET")
    if not isinstance(request, ASGIRequest):
        return _error(
            request,
            503,
            "The event stream is served by the events process (uvicorn config.asgi:application), "
            f"at {events_url(request) or ''}/drivers/{driver_id}/events",
            Retry_After="60",
        )
    dispatcher = dispatcher_for_this_loop(settings.EVENTS_REDIS_URL, settings.EVENTS_STREAM)
    try:
        opening = await dispatcher.open(driver_id, request.headers.get("Last-Event-ID"))
    except (RedisError, OSError):
        return _error(request, 503, "Live updates are unavailable right now: poll the API instead", Retry_After="10")
    response = StreamingHttpResponse(
        frames(dispatcher, opening, settings.EVENTS_KEEPALIVE_SECONDS), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    # A proxy must pass each event on at once (nginx buffers by default).
    response["X-Accel-Buffering"] = "no"
    return response
