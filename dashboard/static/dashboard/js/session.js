// The driver's current session: its panel, and the writes on it (request, cancel, stop). While one write is in
// flight every other write control is disabled (the buttons show it, and a second click cannot race the first).
import { api } from "./api.js";
import { fetchDetail, updateAllCardActions } from "./cards.js";
import { config, DRIVER } from "./config.js";
import { $, announce, setAttr, setText, show, showError } from "./dom.js";
import { duration, fixed, num } from "./format.js";
import { refreshHistory } from "./history.js";
import { pollNow } from "./schedule.js";
import { state } from "./state.js";

const QUEUED_NOTE = "In the queue: your request goes to the central controller as soon as the point is free.";
const NOTES = {
  PENDING: "Waiting for the central controller to approve your request…",
  APPROVED: "Approved. Plug in: charging starts in a moment.",
  CHARGING: "Charging. Energy and cost update live.",
};

export async function refreshSession() {
  const epoch = state.epoch;
  const session = await api("GET", DRIVER + "/sessions/current");
  if (epoch !== state.epoch) return;
  // While the driver waits in a queue, ask for their own wait too (one more request, only then).
  const queued = session && num(session.queue_position) !== null;
  const place = queued ? await api("GET", DRIVER + "/queue") : null;
  if (epoch !== state.epoch) return;
  state.queuePlace = place;
  renderSession(session && session.session_id ? session : null);
}

function queueText(position, place) {
  let text = "#" + position + (position === 1 ? " (next)" : "");
  if (place && place.queue_position === position) {
    const wait = num(place.estimated_wait_minutes) || 0;
    text += wait > 0 ? " · about " + Math.round(wait) + " min" : " · any moment now";
  }
  return text;
}

function renderSession(session) {
  const key = JSON.stringify([session, state.queuePlace]);
  if (key === state.sessionKey) return;
  const before = state.session;
  state.sessionKey = key;
  state.session = session;
  const panel = $("session-panel");
  const status = session ? session.status : "NONE";
  setAttr(panel, "data-status", status);
  show($("session-empty"), !session);
  show($("session-body"), Boolean(session));
  show($("session-pulse"), status === "CHARGING");
  if (session) {
    const point = state.points.get(session.cp_id);
    const detail = state.details.get(session.cp_id);
    const pointName = (point && point.data.name) || (detail && detail.name) || "";
    const name = pointName ? " · " + pointName : "";
    if (!pointName && !state.details.has(session.cp_id)) {
      // The point is filtered out of the list: fetch its name once, then show it.
      fetchDetail(session.cp_id).then(function (found) {
        if (found && state.session && state.session.cp_id === session.cp_id) {
          setText($("session-point"), session.cp_id + " · " + found.name);
        }
      });
    }
    setText($("session-status"), session.status);
    setAttr($("session-status"), "data-status", session.status);
    setText($("session-point"), session.cp_id + name);
    setText($("session-energy"), fixed(session.energy_kwh, 3));
    setText($("session-cost"), fixed(session.cost_eur, 4));
    const queue = num(session.queue_position);
    show($("session-queue-row"), queue !== null);
    setText($("session-queue"), queue === null ? "" : queueText(queue, state.queuePlace));
    setText($("session-note"), queue === null ? NOTES[session.status] || "" : QUEUED_NOTE);
    show($("session-cancel"), session.status === "PENDING" || session.status === "APPROVED");
    show($("session-stop"), session.status === "APPROVED" || session.status === "CHARGING");
    tickElapsed();
  }
  const statusChanged = (before ? before.status + before.session_id : "") !== (session ? status + session.session_id : "");
  if (statusChanged && session) announce("Session " + session.cp_id + ": " + session.status);
  if (before && !session) {
    announce("Your session at " + before.cp_id + " has ended.");
    refreshHistory().catch(function () {});
  }
  if (statusChanged) updateAllCardActions();
}

export function tickElapsed() {
  const session = state.session;
  if (!session) return;
  let text;
  if (session.started_at) {
    const end = session.completed_at ? new Date(session.completed_at) : new Date();
    text = duration(end - new Date(session.started_at));
  } else {
    text = "Not started yet";
  }
  setText($("session-elapsed"), text);
}

function setWriting(writing) {
  state.writing = writing;
  if (!writing) state.epoch += 1;
  $("session-cancel").disabled = writing;
  $("session-stop").disabled = writing;
  updateAllCardActions();
}

export async function requestCharge(cpId) {
  const entry = state.points.get(cpId);
  if (!entry || entry.refs.request.disabled) return;
  entry.busy = true;
  setWriting(true);
  show($("session-error"), false);
  try {
    const session = await api("POST", DRIVER + "/requests", { cp_id: cpId, vehicle_id: config.vehicleId });
    renderSession(session);
    announce("Charging requested at " + cpId + ". Waiting for approval.");
  } catch (error) {
    showError("session-error", "Request failed: " + error.message);
  } finally {
    entry.busy = false;
    setWriting(false);
  }
  pollNow();
}

async function sessionWrite(call, doneMessage) {
  setWriting(true);
  show($("session-error"), false);
  try {
    await call();
    announce(doneMessage);
  } catch (error) {
    showError("session-error", error.message);
  } finally {
    setWriting(false);
  }
  pollNow();
  refreshHistory().catch(function () {});
}

export async function cancelRequest() {
  const session = state.session;
  if (!session || state.writing) return;
  await sessionWrite(function () {
    return api("DELETE", DRIVER + "/requests/" + encodeURIComponent(session.request_id));
  }, "Request cancelled.");
}

async function stopSession(session) {
  await sessionWrite(function () {
    return api("POST", DRIVER + "/sessions/" + encodeURIComponent(session.session_id) + "/stop");
  }, "Charging stopped.");
}

export function askStop() {
  const session = state.session;
  if (!session || state.writing) return;
  const dialog = $("stop-dialog");
  if (typeof dialog.showModal !== "function") {
    if (window.confirm("Stop charging at " + session.cp_id + "?")) stopSession(session);
    return;
  }
  setText($("stop-dialog-point"), session.cp_id);
  dialog.returnValue = "";
  dialog.showModal();
}

export function onStopDialogClose() {
  const dialog = $("stop-dialog");
  if (dialog.returnValue === "confirm" && state.session) stopSession(state.session);
  else $("session-stop").focus();
}
