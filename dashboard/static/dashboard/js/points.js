// The list of charging points: fetched with the filters (and the browser's position), kept in the API's order.
// One request draws every card: `include=details` brings each point's price and amenities along.
import { api } from "./api.js";
import { buildCard, updateCard, updateCardAction } from "./cards.js";
import { renderCityOptions } from "./cities.js";
import { DRIVER, config } from "./config.js";
import { $, announce, setText, show, showError } from "./dom.js";
import { listChanged, positionChanged } from "./map.js";
import { requestCharge } from "./session.js";
import { state } from "./state.js";
import { toggleWatch } from "./watches.js";

const CARD_ACTIONS = { toggleFavorite: toggleFavorite, toggleWatch: toggleWatch, requestCharge: requestCharge };

function pointsQuery(filters) {
  const params = new URLSearchParams(filters);
  params.set("include", "details");
  if (state.position) {
    params.set("lat", state.position.lat);
    params.set("lng", state.position.lng);
  }
  // Nearest first whenever a position is known: the browser's, else the driver's saved home (which the API uses
  // when no lat/lng is sent).
  if (!filters.ordering && (state.position || config.home)) params.set("ordering", "distance");
  // One more than shown: whether there is more to show, without counting the catalogue.
  params.set("limit", String(state.listLimit + 1));
  const query = params.toString();
  return "/charging-points" + (query ? "?" + query : "");
}

export async function refreshPoints() {
  const filters = Object.assign({}, state.filters);
  const epoch = state.epoch;
  const limit = state.listLimit;
  const points = await api("GET", pointsQuery(filters));
  // A filter changed, or a write happened, while this request was in flight: a newer one will render.
  if (JSON.stringify(filters) !== JSON.stringify(state.filters) || epoch !== state.epoch) return;
  if (limit !== state.listLimit) return;
  const all = points || [];
  const more = all.length > limit;
  renderPoints(all.slice(0, limit));
  show($("points-more"), more);
  if (more) setText($("points-count"), "first " + limit + " shown");
  listChanged(all.slice(0, limit));
  show($("points-error"), false);
}

function renderPoints(points) {
  const list = $("points");
  const focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest(".card") : null;
  // Its neighbours now: where focus goes should its card leave (unstarred under "Favorites only").
  const neighbours = focused ? [focused.nextElementSibling, focused.previousElementSibling] : [];
  const seen = new Set();
  let previous = null;
  for (const point of points) {
    seen.add(point.cp_id);
    if (point.location && point.location.city) state.cities.add(point.location.city);
    let entry = state.points.get(point.cp_id);
    if (!entry) {
      entry = buildCard(point, CARD_ACTIONS);
      state.points.set(point.cp_id, entry);
    }
    state.details.set(point.cp_id, point);
    if (JSON.stringify(entry.data) !== JSON.stringify(point) || !entry.rendered) {
      entry.data = point;
      updateCard(entry);
      entry.rendered = true;
    }
    updateCardAction(entry);
    // Keep the API's order, moving nodes only when it changed.
    const expectedNext = previous ? previous.nextElementSibling : list.firstElementChild;
    if (expectedNext !== entry.el) {
      if (previous) previous.after(entry.el);
      else list.prepend(entry.el);
    }
    previous = entry.el;
  }
  for (const [cpId, entry] of state.points) {
    if (!seen.has(cpId)) {
      entry.el.remove();
      state.points.delete(cpId);
    }
  }
  // A card that left with the focus must not drop it to <body>.
  if (focused && !focused.isConnected) refocus(neighbours);
  renderCityOptions();
  show($("points-empty"), points.length === 0);
  setText($("points-count"), points.length === 1 ? "1 point" : points.length + " points");
}

// Focus after its card left: the star of a neighbour still listed, else the list's heading.
function refocus(neighbours) {
  const next = neighbours.find((el) => el && el.isConnected);
  if (next) {
    next.querySelector(".star").focus();
    return;
  }
  const heading = $("points-title");
  heading.setAttribute("tabindex", "-1");
  heading.focus();
}

async function toggleFavorite(cpId) {
  const entry = state.points.get(cpId);
  if (!entry || entry.favoriteBusy) return;
  const wasFavorite = Boolean(entry.data.favorite);
  entry.favoriteBusy = true;
  entry.data = Object.assign({}, entry.data, { favorite: !wasFavorite });
  updateCard(entry);
  try {
    if (wasFavorite) await api("DELETE", DRIVER + "/favorites/" + encodeURIComponent(cpId));
    else await api("POST", DRIVER + "/favorites", { cp_id: cpId });
    announce(wasFavorite ? cpId + " removed from favorites" : cpId + " added to favorites");
  } catch (error) {
    entry.data = Object.assign({}, entry.data, { favorite: wasFavorite });
    updateCard(entry);
    showError("points-error", "Could not update favorites: " + error.message);
  } finally {
    entry.favoriteBusy = false;
    state.epoch += 1;
  }
  if (state.filters.favorites_only) refreshPoints().catch(function () {});
}

export function askForPosition() {
  if (!("geolocation" in navigator)) return;
  navigator.geolocation.getCurrentPosition(
    function (position) {
      state.position = {
        lat: position.coords.latitude.toFixed(5),
        lng: position.coords.longitude.toFixed(5),
      };
      positionChanged();
      refreshPoints().catch(function () {});
    },
    function () {
      // Declined or unavailable: distances fall back to the driver's home position, if any.
    },
    { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 },
  );
}
