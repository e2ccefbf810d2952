"""The event stream in the OpenAPI schema (/api/schema/). drf-spectacular documents DRF views only, and the
stream is a plain async Django view (dashboard/stream.py), so a post-processing hook adds its operation."""

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

DESCRIPTION = """The driver's live updates as server-sent events (`text/event-stream`), served by the events
process (`DRIVER_DASHBOARD_EVENTS_PORT`, default 8101; the page takes its address from `dashboard_config.eventsUrl`).
The web process answers this path with 503 naming the events process.

Each event is `id: <id>` (strictly increasing), `event: <type>`, `data: <one line of JSON>`:

- `session`: exactly the body `GET /drivers/{driver_id}/sessions/current` answers now (`null` once it ended);
  sent on every status change and every energy/cost update.
- `notification`: one item as in `GET /drivers/{driver_id}/notifications`.
- `alert`: one item as in `GET /drivers/{driver_id}/alerts` (sent to every driver; refetch the alerts to see
  whether it concerns you).
- `point`: `{"cp_id", "status", "queue_length", "estimated_wait_minutes", "last_updated"}` of a point whose
  status changed (sent to every driver).
- `resync`: `{}`; the `Last-Event-ID` sent is too old or unknown: refetch everything.

A comment line `: keep-alive` every 15 s. Reconnecting with `Last-Event-ID` replays every event after it (about
the last 10,000 are kept), then the live ones, with no gap and no duplicate."""


def add_event_stream(result, generator, request, public):
    result.setdefault("paths", {})["/drivers/{driver_id}/events"] = {
        "get": {
            "operationId": "driver_events",
            "summary": "The driver's live events (server-sent events)",
            "description": DESCRIPTION,
            "parameters": [
                {
                    "in": "path",
                    "name": "driver_id",
                    "schema": {"type": "string", "pattern": "^[^/\\x00-\\x1f\\x7f]+$"},
                    "required": True,
                },
                {
                    "in": "header",
                    "name": "Last-Event-ID",
                    "schema": {"type": "string"},
                    "description": "The id of the last event received: what came after it is replayed first.",
                },
            ],
            "tags": ["events"],
            "security": [{"tokenAuth": []}, {"cookieAuth": []}],
            "responses": {
                "200": {
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    "description": "The stream; it stays open.",
                },
                "401": {"content": _ERROR, "description": "No or invalid credentials."},
                "404": {
                    "content": _ERROR,
                    "description": '`driver_id` is not the authenticated driver: `{"detail": "Driver not found"}`.',
                },
                "503": {
                    "content": _ERROR,
                    "description": "Asked of the web process, or Redis is unreachable: poll the API instead.",
                },
            },
        }
    }
    return result
