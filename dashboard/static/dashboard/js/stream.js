// The live event stream (GET /drivers/{id}/events, server-sent events): while it is open the page draws what it
// is told (the session from the event itself; notifications, alerts and points refetched or patched) and the
// refresh loop only runs a slow safety pass. When it fails the loop polls at its normal pace again and the
// stream is retried, later and later (2 s, 4 s … at most a minute). Polling never stops being the fallback.
import { refreshAlerts } from "./alerts.js";
import { patchCard } from "./cards.js";
import { config, DRIVER } from "./config.js";
import { refreshNotifications } from "./notifications.js";
import { refreshPoints } from "./points.js";
import { pollNow } from "./schedule.js";
import { refreshSession, renderSession } from "./session.js";
import { state } from "./state.js";

const MAX_RETRY_MS = 60000;
// The browser retries a dropped stream itself (resending Last-Event-ID); after this many failures in a row it
// is closed and opened again after a pause.
const FAILURES_BEFORE_PAUSE = 3;

let source = null;
let failures = 0;
// How far each request has got, as the stream told it. Two processes publishing at almost the same moment can
// deliver an older state last (each event is read after its own commit): a session never goes back, so such a
// late event is dropped instead of reopening a finished session on the page.
const STATUS_RANK = { PENDING: 0, APPROVED: 1, CHARGING: 2 };
const ENDED_RANK = 3;
const furthest = new Map();

function isLate(body) {
  if (!body || !body.request_id) return false;
  const rank = body.status in STATUS_RANK ? STATUS_RANK[body.status] : ENDED_RANK;
  const seen = furthest.get(body.request_id);
  if (seen !== undefined && rank < seen) return true;
  furthest.set(body.request_id, rank);
  return false;
}

function eventsUrl() {
  return config.eventsUrl.replace("{host}", window.location.hostname) + DRIVER + "/events";
}

function quietly(promise) {
  promise.catch(function () {});
}

function onSession(event) {
  const body = JSON.parse(event.data);
  if (isLate(body)) return;
  if (body && body.queue_position !== null && body.queue_position !== undefined) {
    // Waiting in a queue: the dock also shows the driver's own wait, which only GET …/queue knows.
    quietly(refreshSession());
    return;
  }
  state.queuePlace = null;
  renderSession(body);
}

function onPoint(event) {
  const point = JSON.parse(event.data);
  // Under "only free points" a point that is no longer free leaves the list: ask for the list again.
  if (!patchCard(point) || state.filters.only_available) quietly(refreshPoints());
}

function opened() {
  failures = 0;
  state.streamOpen = true;
  // Whatever happened before the stream was there (or while it was away) is read once.
  pollNow();
}

function failed() {
  const wasOpen = state.streamOpen;
  state.streamOpen = false;
  failures += 1;
  if (wasOpen) pollNow(); // back to the normal refresh pace at once
  if (state.stopped || source.readyState === EventSource.CLOSED || failures >= FAILURES_BEFORE_PAUSE) {
    source.close();
    if (state.stopped) return;
    window.setTimeout(connect, Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(failures, 6)));
  }
}

function connect() {
  if (state.stopped) return;
  source = new EventSource(eventsUrl(), { withCredentials: true });
  source.addEventListener("open", opened);
  source.addEventListener("error", failed);
  source.addEventListener("session", onSession);
  source.addEventListener("notification", function () {
    quietly(refreshNotifications());
  });
  source.addEventListener("alert", function () {
    quietly(refreshAlerts());
  });
  source.addEventListener("point", onPoint);
  source.addEventListener("resync", pollNow);
}

// Opens the stream unless the page was configured without one (eventsUrl null).
export function startStream() {
  if (config.eventsUrl === null || config.eventsUrl === undefined || typeof EventSource === "undefined") return;
  connect();
}

export function stopStream() {
  state.streamOpen = false;
  if (source) source.close();
}
