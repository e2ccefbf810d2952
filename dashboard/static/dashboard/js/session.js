// The driver's current session: its panel, and the writes on it (request, cancel, stop). While one write is in
// flight every other write control is disabled (the buttons show it, and a second click cannot race the first).
import { api } from "./api.js";
import { pointName, updateAllCardActions } from "./cards.js";
import { config, DRIVER } from "./config.js";
import { $, announce, setAttr, setText, show, showError } from "./dom.js";
import { duration, euros, halfUp, num, sessionWords } from "./format.js";
import { refreshHistory } from "./history.js";
import { pollNow } from "./schedule.js";
import { state } from "./state.js";
import { closeSummary, openSummary, syncDock } from "./summary.js";

const QUEUED_NOTE = "In the queue: your request goes to the central controller as soon as the point is free.";
const NOTES = {
  PENDING: "Waiting for the central controller to approve your request…",
  APPROVED: "Approved. Plug in: charging starts in a moment.",
  CHARGING: "Charging. Energy and cost update live.",
};
const OPEN_STATUSES = new Set(["PENDING", "APPROVED", "CHARGING"]);
// The steps every session walks; the dock shows each one passed, so APPROVED is seen even when it lasts less
// than one refresh.
const STEPS = ["PENDING", "APPROVED", "CHARGING"];

export async function refreshSession() {
  const epoch = state.epoch;
  const session = await api("GET", DRIVER + "/sessions/current");
  if (epoch !== state.epoch) return;
  // While the driver waits in a queue, ask for their own wait too (one more request, only then).
  const queued = session && num(session.queue_position) !== null;
  const place = queued ? await api("GET", DRIVER + "/queue") : null;
  if (epoch !== state.epoch) return;
  state.queuePlace = place;
  renderSession(session);
}

function queueText(position, place) {
  let text = "#" + position + (position === 1 ? " (next)" : "");
  if (place && place.queue_position === position) {
    const wait = num(place.estimated_wait_minutes) || 0;
    text += wait > 0 ? " · about " + Math.round(wait) + " min" : " · any moment now";
  }
  return text;
}

function pointLabel(session) {
  const name = pointName(session.cp_id, function () {
    if (state.session && state.session.cp_id === session.cp_id) setText($("session-point"), pointLabel(state.session));
  });
  return session.cp_id + (name ? " · " + name : "");
}

function renderSteps(status) {
  const at = STEPS.indexOf(status);
  for (const step of $("session-steps").children) {
    const index = STEPS.indexOf(step.dataset.step);
    setAttr(step, "data-state", index < at ? "done" : index === at ? "current" : "todo");
    setAttr(step, "aria-current", index === at ? "step" : null);
  }
}

// Draws the session dock from a GET …/sessions/current body (or the request's 202 body); null, an empty body or a
// finished session clears it, and the session that was open becomes the summary card.
export function renderSession(body) {
  const session = body && body.session_id && OPEN_STATUSES.has(body.status) ? body : null;
  const ended = body && body.session_id && !session ? body : null;
  const key = JSON.stringify([session, state.queuePlace]);
  if (key === state.sessionKey) return;
  const before = state.session;
  state.sessionKey = key;
  state.session = session;
  const status = session ? session.status : "NONE";
  setAttr($("session-panel"), "data-status", status);
  show($("session-body"), Boolean(session));
  show($("session-pulse"), status === "CHARGING");
  if (session) {
    closeSummary();
    const queue = num(session.queue_position);
    setText($("session-status"), queue === null ? sessionWords(session.status) : "In the queue");
    setAttr($("session-status"), "data-status", session.status);
    setText($("session-point"), pointLabel(session));
    renderSteps(session.status);
    setText($("session-energy"), halfUp(session.energy_kwh, 2));
    setText($("session-cost"), euros(session.cost_eur));
    show($("session-queue-row"), queue !== null);
    setText($("session-queue"), queue === null ? "" : queueText(queue, state.queuePlace));
    setText($("session-note"), queue === null ? NOTES[session.status] || "" : QUEUED_NOTE);
    show($("session-cancel"), session.status === "PENDING" || session.status === "APPROVED");
    show($("session-stop"), session.status === "APPROVED" || session.status === "CHARGING");
    tickElapsed();
  } else if (before) {
    const last = ended && ended.request_id === before.request_id ? Object.assign({}, before, ended) : before;
    // The driver's own cancel needs no summary: nothing was charged, and they know why it ended.
    if (last.status !== "CANCELLED") openSummary(last);
  }
  syncDock();
  const statusChanged = (before ? before.status + before.session_id : "") !== (session ? status + session.session_id : "");
  if (statusChanged && session) announce("Session at " + session.cp_id + ": " + sessionWords(session.status) + ".");
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
  syncDock();
  try {
    const session = await api("POST", DRIVER + "/requests", { cp_id: cpId, vehicle_id: config.vehicleId });
    renderSession(session);
    announce("Charging requested at " + cpId + ". Waiting for approval.");
  } catch (error) {
    showError("session-error", "Request failed: " + error.message);
    syncDock();
  } finally {
    entry.busy = false;
    setWriting(false);
  }
  pollNow();
}

async function sessionWrite(call, doneMessage) {
  setWriting(true);
  show($("session-error"), false);
  syncDock();
  try {
    await call();
    announce(doneMessage);
  } catch (error) {
    showError("session-error", error.message);
    syncDock();
  } finally {
    setWriting(false);
  }
  pollNow();
  refreshHistory().catch(function () {});
}

export async function cancelRequest() {
  const session = state.session;
  if (!session || state.writing) return;
  await sessionWrite(async function () {
    await api("DELETE", DRIVER + "/requests/" + encodeURIComponent(session.request_id));
    renderSession(Object.assign({}, session, { status: "CANCELLED" }));
    // The button just pressed is gone: focus stays where the session lives, without scrolling there.
    $("session-title").focus({ preventScroll: true });
  }, "Request cancelled.");
}

async function stopSession(session) {
  await sessionWrite(async function () {
    // The answer is the stopped session: the summary card shows at once, its final figures follow.
    renderSession(await api("POST", DRIVER + "/sessions/" + encodeURIComponent(session.session_id) + "/stop"));
    $("session-summary-title").focus({ preventScroll: true });
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
  setText($("stop-dialog-point"), pointLabel(session));
  dialog.returnValue = "";
  dialog.showModal();
}

export function onStopDialogClose() {
  const dialog = $("stop-dialog");
  if (dialog.returnValue === "confirm" && state.session) stopSession(state.session);
  else $("session-stop").focus();
}
