// The connection line: live, stale (central unreachable or quiet, from GET /sync-status), offline, or signed out.
import { api, HttpError } from "./api.js";
import { config } from "./config.js";
import { $, h, setAttr, setText } from "./dom.js";
import { clock } from "./format.js";
import { state } from "./state.js";

export async function refreshSyncStatus() {
  try {
    return await api("GET", "/sync-status");
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) return null; // not offered by this server
    throw error;
  }
}

export function renderConnection(serverError, sync) {
  const line = $("connection");
  let stateName = "live";
  let text = state.streamOpen
    ? "Live: changes arrive as they happen"
    : "Live: refreshing every " + config.refreshMs / 1000 + " s";
  if (serverError) {
    stateName = "offline";
    text = "Offline: cannot reach the dashboard server. The data below may be out of date; retrying…";
  } else if (sync && sync.central_reachable === false) {
    stateName = "stale";
    text = "Central controller unreachable: charging point statuses may be out of date.";
  } else if (sync && sync.stale) {
    stateName = "stale";
    text = "Charging point data is stale: no recent update from the central controller.";
  }
  if (stateName !== "live" && sync && sync.last_success_at && !serverError) {
    text += " Last contact " + clock(new Date(sync.last_success_at)) + ".";
  }
  setAttr(line, "data-state", stateName);
  setText($("connection-text"), text);
  document.body.classList.toggle("is-stale", stateName !== "live");
  if (state.lastUpdated) {
    const stamp = $("last-updated");
    setText(stamp, clock(state.lastUpdated));
    setAttr(stamp, "datetime", state.lastUpdated.toISOString());
  }
}

export function signedOut() {
  state.stopped = true;
  window.clearTimeout(state.timer);
  const line = $("connection");
  setAttr(line, "data-state", "offline");
  const link = h("a", { href: config.loginUrl + "?next=/", text: "Sign in again" });
  $("connection-text").replaceChildren("You have been signed out. ", link);
}
