// One charging point's card: built once, then patched. Price and amenities come with the list's items
// (`include=details`); `fetchDetail` asks for one point the list does not hold (the session's, filtered out).
import { api } from "./api.js";
import { h, setAttr, setText, show } from "./dom.js";
import { fixed, num, pricePerKwh } from "./format.js";
import { state } from "./state.js";
import { updateBell } from "./watches.js";

const OPEN_STATUSES = new Set(["PENDING", "APPROVED", "CHARGING"]);
const POINT_LABELS = { FREE: "Free", OCCUPIED: "Occupied", OFFLINE: "Offline" };
const OWN_SESSION_LABELS = { PENDING: "Requested", APPROVED: "Approved", CHARGING: "Charging here" };
const OWN_SESSION_HERE = {
  PENDING: "Your request for this point is waiting for approval.",
  APPROVED: "Your session here is approved: plug in.",
  CHARGING: "You are charging at this point.",
};

export async function fetchDetail(cpId) {
  if (state.details.has(cpId)) return state.details.get(cpId);
  state.details.set(cpId, null);
  try {
    const detail = await api("GET", "/charging-points/" + encodeURIComponent(cpId));
    state.details.set(cpId, detail);
    const entry = state.points.get(cpId);
    if (entry) updateCard(entry);
    return detail;
  } catch {
    state.details.delete(cpId);
    return null;
  }
}

// A point's name for texts outside its card (the session dock, the history): from the list, else fetched once;
// `then` runs when a fetched name arrives, so the caller can draw it.
export function pointName(cpId, then) {
  const entry = state.points.get(cpId);
  const detail = state.details.get(cpId);
  const name = (entry && entry.data.name) || (detail && detail.name) || "";
  if (!name && !state.details.has(cpId)) {
    fetchDetail(cpId).then(function (found) {
      if (found && then) then();
    });
  }
  return name;
}

function fact(label, valueClass) {
  const dd = h("dd", { className: valueClass });
  return { row: h("div", {}, [h("dt", { text: label }), dd]), value: dd };
}

// `actions` are the card's buttons: { toggleFavorite(cpId), toggleWatch(cpId), requestCharge(cpId) }.
export function buildCard(point, actions) {
  const id = point.cp_id;
  const safeId = id.replace(/[^A-Za-z0-9_-]/g, "_");
  const refs = {};
  refs.name = h("span", { className: "card__name" });
  refs.star = h("button", { type: "button", className: "star", "aria-pressed": "false" });
  refs.star.addEventListener("click", function () {
    actions.toggleFavorite(id);
  });
  refs.bell = h("button", { type: "button", className: "bell", "aria-pressed": "false", hidden: true }, [
    h("span", { className: "bell__icon", "aria-hidden": "true" }),
  ]);
  refs.bell.addEventListener("click", function () {
    actions.toggleWatch(id);
  });
  refs.status = h("span", { className: "badge card__status" });
  refs.address = h("p", { className: "card__address" });
  refs.power = fact("Power", "card__power");
  refs.connector = fact("Connector", "card__connector");
  refs.price = fact("Price", "card__price");
  refs.city = fact("City", "card__city");
  refs.distance = fact("Distance", "card__distance");
  refs.queue = fact("Queue", "card__queue");
  refs.amenities = h("p", { className: "card__amenities" });
  refs.request = h("button", {
    type: "button",
    className: "btn btn--primary card__request",
    "aria-describedby": "reason-" + safeId,
    text: "Request charge",
  });
  refs.request.addEventListener("click", function () {
    actions.requestCharge(id);
  });
  refs.reason = h("p", { className: "card__reason", id: "reason-" + safeId });
  const el = h("li", { className: "card", "data-cp-id": id }, [
    h("div", { className: "card__head" }, [
      h("h3", { className: "card__title" }, [refs.name, h("span", { className: "card__id", text: id })]),
      h("div", { className: "card__marks" }, [refs.bell, refs.star]),
    ]),
    h("div", { className: "card__statusline" }, [refs.status, refs.address]),
    h("dl", { className: "card__facts" }, [
      refs.power.row,
      refs.connector.row,
      refs.price.row,
      refs.city.row,
      refs.distance.row,
      refs.queue.row,
    ]),
    refs.amenities,
    h("div", { className: "card__actions" }, [refs.request, refs.reason]),
  ]);
  return { data: point, el: el, refs: refs, rendered: false, busy: false };
}

export function updateCard(entry) {
  const p = entry.data;
  const r = entry.refs;
  const location = p.location || {};
  const detail = "price_eur_per_kwh" in p ? p : state.details.get(p.cp_id);
  setAttr(entry.el, "data-status", p.status);
  setText(r.name, p.name || p.cp_id);
  setText(r.status, POINT_LABELS[p.status] || p.status);
  setAttr(r.status, "data-status", p.status);
  setText(r.address, location.address || "");
  setText(r.power.value, fixed(p.power_kw, num(p.power_kw) % 1 ? 1 : 0) + " kW");
  setText(r.connector.value, p.connector_type || "—");
  const price = detail ? num(detail.price_eur_per_kwh) : null;
  setText(r.price.value, pricePerKwh(price));
  setText(r.city.value, location.city || "—");
  const amenities = detail && Array.isArray(detail.amenities) ? detail.amenities : [];
  setText(r.amenities, amenities.length ? "Amenities: " + amenities.join(" · ") : "");
  show(r.amenities, amenities.length > 0);
  const distance = num(location.distance_km);
  show(r.distance.row, distance !== null);
  setText(r.distance.value, distance === null ? "" : distance.toFixed(1) + " km");
  const queue = num(p.queue_length) || 0;
  const wait = num(p.estimated_wait_minutes) || 0;
  let queueText;
  if (p.status === "FREE" && queue === 0) {
    queueText = "Free now";
  } else {
    queueText = queue === 0 ? "Nobody waiting" : queue === 1 ? "1 waiting" : queue + " waiting";
    if (wait > 0) queueText += " · about " + Math.round(wait) + " min wait";
  }
  show(r.queue.row, p.status !== "OFFLINE" || queue > 0);
  setText(r.queue.value, queueText);
  const favorite = Boolean(p.favorite);
  setAttr(r.star, "aria-pressed", favorite ? "true" : "false");
  // The name stays the same; aria-pressed tells whether the point is a favorite.
  setAttr(r.star, "aria-label", "Favorite " + (p.name || p.cp_id) + " (" + p.cp_id + ")");
  setAttr(r.star, "title", favorite ? "Favorite — click to remove" : "Add to favorites");
  setText(r.star, favorite ? "★" : "☆");
  r.star.classList.toggle("star--on", favorite);
}

function requestBlockedReason(point) {
  const session = state.session;
  if (session && OPEN_STATUSES.has(session.status)) {
    if (session.cp_id === point.cp_id) return OWN_SESSION_HERE[session.status];
    const elsewhere = state.points.get(session.cp_id);
    const where = (elsewhere && elsewhere.data.name) || session.cp_id;
    return "You already have a session at " + where + ": one at a time.";
  }
  if (point.status === "OFFLINE") return "This point is offline.";
  if (point.status !== "FREE" && point.status !== "OCCUPIED") return "This point is not available right now.";
  return "";
}

export function updateCardAction(entry) {
  const reason = entry.busy ? "Sending request…" : state.writing ? "" : requestBlockedReason(entry.data);
  const disabled = entry.busy || state.writing || Boolean(reason);
  if (entry.refs.request.disabled !== disabled) entry.refs.request.disabled = disabled;
  // A busy point, or one where others wait: the request joins its queue (the dashboard sends it when free).
  const joins = entry.data.status === "OCCUPIED" || (num(entry.data.queue_length) || 0) > 0;
  const session = state.session;
  const own = session && OPEN_STATUSES.has(session.status) && session.cp_id === entry.data.cp_id;
  let label = joins ? "Join the queue" : "Request charge";
  if (entry.busy) label = "Sending…";
  else if (own) label = OWN_SESSION_LABELS[session.status];
  setText(entry.refs.request, label);
  setText(entry.refs.reason, reason);
  show(entry.refs.reason, Boolean(reason));
  // Reasons that come and go with the driver's own session (or a request on its way) are read out with the
  // button but take no room: every card growing by a line when a session starts would move the list under the
  // driver's eyes (issue 13). The session dock says it in view instead.
  const sessionReason = Boolean(reason) && (entry.busy || Boolean(session && OPEN_STATUSES.has(session.status)));
  entry.refs.reason.classList.toggle("visually-hidden", sessionReason);
  updateBell(entry);
}

// A live `point` event (stream.js): the point's new status, queue and wait on its card, keeping what only the list
// knows (favorite, distance). Returns false when the point has no card on the page.
export function patchCard(update) {
  const entry = state.points.get(update.cp_id);
  if (!entry) return false;
  const live = { status: update.status, queue_length: update.queue_length };
  live.estimated_wait_minutes = update.estimated_wait_minutes;
  if ("last_updated" in entry.data) live.last_updated = update.last_updated;
  entry.data = Object.assign({}, entry.data, live);
  updateCard(entry);
  updateCardAction(entry);
  return true;
}

export function updateAllCardActions() {
  for (const entry of state.points.values()) updateCardAction(entry);
}
