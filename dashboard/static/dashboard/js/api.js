// fetch() on the REST API (see driver-dashboard-api.md): JSON in and out, the CSRF header on writes, a time-out on
// every request, and two error types the refresh loop tells apart (the server answered / could not be reached).
import { config } from "./config.js";

const READ_TIMEOUT_MS = Math.max(5000, config.refreshMs * 5);
// Writes may wait for central (the stop calls it); the specification allows 30 s per request.
const WRITE_TIMEOUT_MS = 35000;

export class HttpError extends Error {
  constructor(status, body) {
    super((body && body.detail) || "The server answered " + status);
    this.status = status;
    this.body = body;
  }
}

export class NetworkError extends Error {}

// Every request still on its way, so leaving the page (signing out) can drop them all: an answer that arrives
// after the sign-out would be a 401 for a page that is already gone.
const inFlight = new Set();

export function abortAll() {
  for (const controller of inFlight) controller.abort();
  inFlight.clear();
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : config.csrfToken || "";
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  // "no-cache": always ask the server, but with the last ETag, so an unchanged poll is a 304 (fetch still
  // hands back the stored body) instead of the whole answer again.
  const init = { method: method, headers: headers, credentials: "same-origin", cache: "no-cache" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  // A server that accepts the connection but never answers must not freeze the refresh loop.
  const controller = new AbortController();
  init.signal = controller.signal;
  inFlight.add(controller);
  const timer = window.setTimeout(function () {
    controller.abort();
  }, method === "GET" ? READ_TIMEOUT_MS : WRITE_TIMEOUT_MS);
  let response;
  let text;
  try {
    response = await fetch(path, init);
    text = response.status === 204 ? "" : await response.text();
  } catch {
    throw new NetworkError("Cannot reach the server");
  } finally {
    window.clearTimeout(timer);
    inFlight.delete(controller);
  }
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw new HttpError(response.status, data);
  return data;
}
