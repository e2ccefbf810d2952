// "Tell me when it's free": the bell on the cards of busy (OCCUPIED or OFFLINE) points. Pressed, the driver watches
// the point (POST /drivers/{id}/watches); when central's poll sees it FREE the driver gets an ALERT notification (a
// toast, like every other) and the watch ends, so the bell resets by itself on the next refresh.
import { api, HttpError } from "./api.js";
import { DRIVER } from "./config.js";
import { announce, setAttr, show, showError } from "./dom.js";
import { state } from "./state.js";

const OPEN_STATUSES = new Set(["PENDING", "APPROVED", "CHARGING"]);
const watching = new Set(); // cp_ids the driver watches now, as the last GET (or the driver's own click) said
const busy = new Set(); // cp_ids whose watch is being added or removed

export async function refreshWatches() {
  const epoch = state.epoch;
  const watches = (await api("GET", DRIVER + "/watches")) || [];
  // A write happened while this request was in flight: its answer may be from before it; the next one renders.
  if (epoch !== state.epoch) return;
  watching.clear();
  for (const watch of watches) watching.add(watch.cp_id);
  for (const entry of state.points.values()) updateBell(entry);
}

function ownSessionHere(cpId) {
  const session = state.session;
  return Boolean(session && OPEN_STATUSES.has(session.status) && session.cp_id === cpId);
}

// The bell of one card, from the point's status and the watches: shown on a point that is not FREE (and not the
// driver's own), pressed while the driver watches it.
export function updateBell(entry) {
  const p = entry.data;
  const bell = entry.refs.bell;
  if (!bell) return;
  const on = watching.has(p.cp_id);
  const label = p.name || p.cp_id;
  show(bell, p.status !== "FREE" && !ownSessionHere(p.cp_id));
  setAttr(bell, "aria-pressed", on ? "true" : "false");
  // The name stays the same; aria-pressed tells whether the driver is watching the point.
  setAttr(bell, "aria-label", "Tell me when " + label + " (" + p.cp_id + ") is free");
  setAttr(bell, "title", on ? "You will be told when it is free — click to stop" : "Tell me when it's free");
  bell.classList.toggle("bell--on", on);
  bell.disabled = busy.has(p.cp_id);
}

export async function toggleWatch(cpId) {
  const entry = state.points.get(cpId);
  if (!entry || busy.has(cpId)) return;
  const wasWatching = watching.has(cpId);
  busy.add(cpId);
  if (wasWatching) watching.delete(cpId);
  else watching.add(cpId);
  updateBell(entry);
  try {
    if (wasWatching) await api("DELETE", DRIVER + "/watches/" + encodeURIComponent(cpId));
    else await api("POST", DRIVER + "/watches", { cp_id: cpId });
    announce(wasWatching ? "Stopped watching " + cpId : "You will be told when " + cpId + " is free");
  } catch (error) {
    if (wasWatching) watching.add(cpId);
    else watching.delete(cpId);
    // 400 naming cp_id: the point turned free meanwhile (nothing to wait for); the next refresh shows it.
    const freeNow = error instanceof HttpError && error.status === 400 && error.body && error.body.cp_id;
    if (freeNow) announce(error.body.cp_id[0]);
    else showError("points-error", "Could not update the watch: " + error.message);
  } finally {
    busy.delete(cpId);
    state.epoch += 1;
    updateBell(entry);
  }
}
