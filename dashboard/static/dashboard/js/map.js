// The map beside the list (above it on a narrow screen): the points in its view as markers whose colour AND shape
// say the status (legend in the page), the driver's position, and a click (or Enter) on a marker selects its card.
//
// Leaflet is vendored (dashboard/static/vendor/leaflet/, scripts/vendor_leaflet.sh) and loaded as a classic script
// before the modules: it defines the global `L`. The map asks only for its view's points (`bbox`, at most
// MAP_LIMIT), never for the whole catalogue. The tile server is a setting (config.map.tileUrl): with none, or
// when tiles cannot load, the markers are drawn on a blank background and the rest of the page works as before.
import { api } from "./api.js";
import { config } from "./config.js";
import { $, announce, setAttr, setText, show } from "./dom.js";
import { state } from "./state.js";

const MAP_LIMIT = 500;
const START_ZOOM = 12;
// Statuses change on central's poll; the list patches the markers it holds at every refresh, and the view's
// other markers are read again at most this often.
const MAP_REFRESH_MS = 15000;
const STATUS_WORDS = { FREE: "Free", OCCUPIED: "Occupied", OFFLINE: "Offline" };

const view = {
  map: null,
  markers: new Map(), // cp_id -> { marker, point }
  you: null,
  key: "",
  fetchedAt: 0,
  started: false, // Leaflet has a centre and zoom (before that it cannot tell its bounds)
  moved: false, // the driver panned or zoomed: positions arriving later no longer recentre the map
  selected: null,
  tilesFailed: false,
};

function leaflet() {
  return typeof window.L === "object" && window.L ? window.L : null;
}

function note(text) {
  setText($("map-note"), text);
}

export function initMap() {
  const L = leaflet();
  const toggle = $("map-toggle");
  toggle.addEventListener("click", function () {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    setAttr(toggle, "aria-expanded", open ? "true" : "false");
    setText(toggle, open ? "Hide map" : "Show map");
    show($("map-area"), open);
    $("map-panel").classList.toggle("map-panel--closed", !open);
    if (open && view.map) view.map.invalidateSize();
  });
  if (!L) {
    note("The map could not be loaded; the list below has every point.");
    return;
  }
  const map = L.map("map", { zoomControl: true, attributionControl: true, keyboard: true });
  view.map = map;
  const options = config.map || {};
  if (options.tileUrl) {
    const tiles = L.tileLayer(options.tileUrl, { attribution: options.attribution || "", maxZoom: 19 });
    tiles.on("tileerror", function () {
      if (view.tilesFailed) return;
      view.tilesFailed = true;
      note("The map background could not be loaded; the markers and the list still work.");
    });
    tiles.addTo(map);
  } else {
    note("Map background off: markers only.");
  }
  // Only the driver's own gestures count as moving the map (Leaflet's events fire for setView too).
  for (const type of ["pointerdown", "wheel", "keydown"]) {
    map.getContainer().addEventListener(type, function () {
      view.moved = true;
    });
  }
  map.on("moveend", function () {
    refreshMap(true).catch(function () {});
  });
  const start = position();
  if (start) centre(start.lat, start.lng, START_ZOOM);
}

function centre(lat, lng, zoom) {
  view.started = true;
  view.map.setView([lat, lng], zoom);
}

function position() {
  if (state.position) return { lat: Number(state.position.lat), lng: Number(state.position.lng) };
  if (config.home) return { lat: Number(config.home.lat), lng: Number(config.home.lng) };
  return null;
}

// The browser shared its position (points.js): show it, and centre there unless the driver already moved the map.
export function positionChanged() {
  const L = leaflet();
  const here = position();
  if (!L || !view.map || !here) return;
  if (!view.moved) centre(here.lat, here.lng, START_ZOOM);
  drawYou(L, here);
}

function drawYou(L, here) {
  if (view.you) {
    view.you.setLatLng([here.lat, here.lng]);
    return;
  }
  view.you = L.circleMarker([here.lat, here.lng], {
    radius: 8,
    color: "#ffffff",
    weight: 3,
    fillColor: "#0b5cad",
    fillOpacity: 1,
    interactive: false,
    className: "map-you",
  }).addTo(view.map);
  view.you.bindTooltip(state.position ? "You are here" : "Your home", { direction: "top" });
}

// After each list refresh (points.js): give a map with no view yet a start, patch the statuses the list knows,
// and read the view again when the filters changed or the last read is old.
export function listChanged(points) {
  const L = leaflet();
  if (!L || !view.map) return;
  if (!view.started) {
    const here = position();
    const first = points.find((p) => p.location && typeof p.location.latitude === "number");
    if (here) centre(here.lat, here.lng, START_ZOOM);
    else if (first) centre(first.location.latitude, first.location.longitude, START_ZOOM);
    else centre(20, 0, 2);
  }
  const here = position();
  if (here) drawYou(L, here);
  for (const point of points) {
    const known = view.markers.get(point.cp_id);
    if (known && known.point.status !== point.status) placeMarker(L, point);
  }
  refreshMap(false).catch(function () {});
}

function mapQuery() {
  const bounds = view.map.getBounds();
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state.filters)) {
    if (key !== "ordering") params.set(key, value);
  }
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v)).toFixed(5);
  // A view wider than the world is the whole range of longitudes.
  const wide = bounds.getEast() - bounds.getWest() >= 360;
  params.set(
    "bbox",
    [
      wide ? "-180" : clamp(wrap(bounds.getWest()), -180, 180),
      clamp(bounds.getSouth(), -90, 90),
      wide ? "180" : clamp(wrap(bounds.getEast()), -180, 180),
      clamp(bounds.getNorth(), -90, 90),
    ].join(","),
  );
  params.set("limit", String(MAP_LIMIT));
  return "/charging-points?" + params.toString();
}

function wrap(lng) {
  return ((((lng + 180) % 360) + 360) % 360) - 180;
}

async function refreshMap(force) {
  const L = leaflet();
  if (!L || !view.map || !view.started || state.stopped) return;
  const path = mapQuery();
  const now = Date.now();
  if (!force && path === view.key && now - view.fetchedAt < MAP_REFRESH_MS) return;
  view.key = path;
  view.fetchedAt = now;
  const points = (await api("GET", path)) || [];
  if (path !== view.key) return; // the view moved while this was on its way: a newer read draws it
  const seen = new Set();
  for (const point of points) {
    seen.add(point.cp_id);
    placeMarker(L, point);
  }
  for (const [cpId, known] of view.markers) {
    if (!seen.has(cpId)) {
      known.marker.remove();
      view.markers.delete(cpId);
    }
  }
  if (!view.tilesFailed && config.map && config.map.tileUrl) {
    note(points.length >= MAP_LIMIT ? "Zoom in to see every point here." : "");
  }
}

function label(point) {
  return (point.name || point.cp_id) + " (" + point.cp_id + "), " + (STATUS_WORDS[point.status] || point.status);
}

function icon(L, point) {
  const selected = view.selected === point.cp_id ? " map-marker--selected" : "";
  return L.divIcon({
    className: "map-marker" + selected,
    html: '<span class="map-marker__shape" data-status="' + (point.status || "") + '"></span>',
    iconSize: [26, 26],
    iconAnchor: [13, 13],
  });
}

function placeMarker(L, point) {
  const loc = point.location || {};
  if (typeof loc.latitude !== "number" || typeof loc.longitude !== "number") return;
  const known = view.markers.get(point.cp_id);
  if (known) {
    const changed = known.point.status !== point.status;
    known.point = point;
    known.marker.setLatLng([loc.latitude, loc.longitude]);
    if (changed) {
      known.marker.setIcon(icon(L, point));
      describe(known.marker, point);
    }
    return;
  }
  const marker = L.marker([loc.latitude, loc.longitude], { icon: icon(L, point), keyboard: true, title: label(point) });
  marker.on("click", function () {
    select(point.cp_id);
  });
  marker.on("keypress", function (event) {
    const key = event.originalEvent && event.originalEvent.key;
    if (key === "Enter" || key === " ") select(point.cp_id);
  });
  marker.addTo(view.map);
  describe(marker, point);
  view.markers.set(point.cp_id, { marker: marker, point: point });
}

function describe(marker, point) {
  const el = marker.getElement();
  if (!el) return;
  setAttr(el, "aria-label", "Show " + label(point) + " in the list");
  setAttr(el, "title", label(point));
  setAttr(el, "data-cp-id", point.cp_id);
  setAttr(el, "data-status", point.status);
}

// Selecting a point: its card is scrolled into view, highlighted and focused; its marker stands out.
export function select(cpId) {
  const L = leaflet();
  const previous = view.selected;
  view.selected = cpId;
  for (const id of [previous, cpId]) {
    const known = id && view.markers.get(id);
    if (known && L) {
      known.marker.setIcon(icon(L, known.point));
      describe(known.marker, known.point);
    }
  }
  for (const el of document.querySelectorAll(".card--selected")) el.classList.remove("card--selected");
  const entry = state.points.get(cpId);
  const known = view.markers.get(cpId);
  if (!entry) {
    const name = known ? label(known.point) : cpId;
    note(name + " is not in the list below: search for it, or show more points.");
    announce(name + " is not in the list below");
    return;
  }
  entry.el.classList.add("card--selected");
  if (!entry.el.hasAttribute("tabindex")) entry.el.setAttribute("tabindex", "-1");
  const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  entry.el.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: "center" });
  entry.el.focus({ preventScroll: true });
}
