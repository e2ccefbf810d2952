/* The driver's dashboard: plain JavaScript on top of the REST API (see driver-dashboard-api.md).
 *
 * Every few seconds it polls the API and updates only the parts of the page whose data changed; the
 * DOM nodes of a card or panel are built once and their texts/attributes are patched afterwards, so
 * keyboard focus and scroll position survive the refreshes. Filters live in the URL query string.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("dashboard-config").textContent);
  const DRIVER = "/drivers/" + encodeURIComponent(config.driverId);
  const OPEN_STATUSES = new Set(["PENDING", "APPROVED", "CHARGING"]);
  const FILTER_KEYS = ["city", "connector_type", "min_power_kw", "only_available", "favorites_only"];
  const HISTORY_EVERY_N_POLLS = 10;
  const MAX_TOASTS = 4;
  const POINT_LABELS = { FREE: "Free", OCCUPIED: "Occupied", OFFLINE: "Offline" };
  const READ_TIMEOUT_MS = Math.max(5000, config.refreshMs * 5);
  // Writes may wait for central (the stop calls it); the specification allows 30 s per request.
  const WRITE_TIMEOUT_MS = 35000;

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------------------------------------
  // HTTP

  class HttpError extends Error {
    constructor(status, body) {
      super((body && body.detail) || "The server answered " + status);
      this.status = status;
      this.body = body;
    }
  }

  class NetworkError extends Error {}

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : config.csrfToken || "";
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    const init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    // A server that accepts the connection but never answers must not freeze the refresh loop.
    const controller = new AbortController();
    init.signal = controller.signal;
    const timer = window.setTimeout(function () {
      controller.abort();
    }, method === "GET" ? READ_TIMEOUT_MS : WRITE_TIMEOUT_MS);
    let response;
    let text;
    try {
      response = await fetch(path, init);
      text = response.status === 204 ? "" : await response.text();
    } catch (error) {
      throw new NetworkError("Cannot reach the server");
    } finally {
      window.clearTimeout(timer);
    }
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (error) {
        data = null;
      }
    }
    if (!response.ok) throw new HttpError(response.status, data);
    return data;
  }

  // ---------------------------------------------------------------------------------------------
  // Small DOM and formatting helpers

  function h(tag, attrs, children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "className") el.className = value;
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) {
      if (child !== null && child !== undefined) el.append(child);
    }
    return el;
  }

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  function setAttr(el, name, value) {
    if (value === null || value === false) {
      if (el.hasAttribute(name)) el.removeAttribute(name);
    } else if (el.getAttribute(name) !== String(value)) {
      el.setAttribute(name, value === true ? "" : value);
    }
  }

  function show(el, visible) {
    if (el.hidden === visible) el.hidden = !visible;
  }

  function num(value) {
    const n = Number(value);
    return value === null || value === undefined || value === "" || Number.isNaN(n) ? null : n;
  }

  function fixed(value, digits) {
    const n = num(value);
    return (n === null ? 0 : n).toFixed(digits);
  }

  function clock(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function dateTime(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? "—" : date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }

  function duration(ms) {
    const total = Math.max(0, Math.floor(ms / 1000));
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = total % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return (hours ? hours + ":" + pad(minutes) : minutes) + ":" + pad(seconds);
  }

  function announce(message) {
    const el = $("sr-announcer");
    el.textContent = "";
    // A fresh text node makes screen readers announce the same message twice in a row too.
    window.setTimeout(function () {
      el.textContent = message;
    }, 50);
  }

  // ---------------------------------------------------------------------------------------------
  // State

  const state = {
    filters: {},
    position: null,
    points: new Map(), // cp_id -> { data, el, refs }
    details: new Map(), // cp_id -> detail JSON (price, amenities), fetched once
    cities: new Set(),
    session: null,
    sessionKey: "init",
    writing: false,
    notificationsKey: "",
    seenNotifications: null,
    alertsKey: "",
    historyKey: "",
    pollCount: 0,
    lastUpdated: null,
    timer: null,
    // Bumped after every write: a read that started before it may carry the old state and is dropped.
    epoch: 0,
    polling: false,
    pollAgain: false,
    stopped: false,
  };

  // ---------------------------------------------------------------------------------------------
  // Filters, kept in the URL query string

  function filtersFromUrl() {
    const params = new URLSearchParams(window.location.search);
    const filters = {};
    for (const key of FILTER_KEYS) {
      const value = (params.get(key) || "").trim();
      if (value) filters[key] = value;
    }
    // Values the API would refuse with a 400 on every poll (a hand-edited bookmark) are dropped.
    if (filters.min_power_kw && !(Number.isFinite(num(filters.min_power_kw)) && num(filters.min_power_kw) >= 0)) {
      delete filters.min_power_kw;
    }
    if (filters.connector_type) {
      const wanted = filters.connector_type.toLowerCase();
      const option = Array.from($("filter-connector").options).find((o) => o.value && o.value.toLowerCase() === wanted);
      if (option) filters.connector_type = option.value;
      else delete filters.connector_type;
    }
    if (filters.only_available && filters.only_available !== "true") delete filters.only_available;
    if (filters.favorites_only && filters.favorites_only !== "true") delete filters.favorites_only;
    return filters;
  }

  function filtersToForm(filters) {
    ensureCityOption(filters.city);
    $("filter-city").value = filters.city || "";
    $("filter-connector").value = filters.connector_type || "";
    $("filter-power").value = filters.min_power_kw || "";
    $("filter-availability").value = filters.only_available || "";
    $("filter-favorites").checked = filters.favorites_only === "true";
  }

  function filtersFromForm() {
    const filters = {};
    const city = $("filter-city").value;
    const connector = $("filter-connector").value;
    const power = $("filter-power").value.trim();
    if (city) filters.city = city;
    if (connector) filters.connector_type = connector;
    if (power && Number.isFinite(num(power)) && num(power) >= 0) filters.min_power_kw = power;
    if ($("filter-availability").value === "true") filters.only_available = "true";
    if ($("filter-favorites").checked) filters.favorites_only = "true";
    return filters;
  }

  function filtersChanged() {
    const filters = filtersFromForm();
    if (JSON.stringify(filters) === JSON.stringify(state.filters)) return;
    state.filters = filters;
    const query = new URLSearchParams(filters).toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    refreshPoints().catch(function () {});
  }

  function ensureCityOption(city) {
    if (!city) return;
    state.cities.add(city);
    renderCityOptions();
  }

  function renderCityOptions() {
    const select = $("filter-city");
    const present = new Set(Array.from(select.options).map((o) => o.value));
    const missing = Array.from(state.cities).filter((c) => !present.has(c));
    if (!missing.length) return;
    const selected = select.value;
    const sorted = Array.from(state.cities).sort((a, b) => a.localeCompare(b));
    select.replaceChildren(h("option", { value: "", text: "All cities" }));
    for (const city of sorted) select.append(h("option", { value: city, text: city }));
    select.value = selected;
  }

  // ---------------------------------------------------------------------------------------------
  // Charging points

  function pointsQuery(filters) {
    const params = new URLSearchParams(filters);
    if (state.position) {
      params.set("lat", state.position.lat);
      params.set("lng", state.position.lng);
    }
    const query = params.toString();
    return "/charging-points" + (query ? "?" + query : "");
  }

  async function refreshPoints() {
    const filters = Object.assign({}, state.filters);
    const epoch = state.epoch;
    const points = await api("GET", pointsQuery(filters));
    // A filter changed, or a write happened, while this request was in flight: a newer one will render.
    if (JSON.stringify(filters) !== JSON.stringify(state.filters) || epoch !== state.epoch) return;
    renderPoints(points || []);
    show($("points-error"), false);
  }

  async function loadAllCities() {
    try {
      const points = await api("GET", "/charging-points");
      for (const point of points || []) if (point.location && point.location.city) state.cities.add(point.location.city);
      renderCityOptions();
    } catch (error) {
      // The city list then fills from the filtered results; nothing else depends on it.
    }
  }

  function renderPoints(points) {
    const list = $("points");
    const seen = new Set();
    let previous = null;
    for (const point of points) {
      seen.add(point.cp_id);
      if (point.location && point.location.city) state.cities.add(point.location.city);
      let entry = state.points.get(point.cp_id);
      if (!entry) {
        entry = buildCard(point);
        state.points.set(point.cp_id, entry);
        fetchDetail(point.cp_id);
      }
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
    renderCityOptions();
    show($("points-empty"), points.length === 0);
    setText($("points-count"), points.length === 1 ? "1 point" : points.length + " points");
  }

  async function fetchDetail(cpId) {
    if (state.details.has(cpId)) return state.details.get(cpId);
    state.details.set(cpId, null);
    try {
      const detail = await api("GET", "/charging-points/" + encodeURIComponent(cpId));
      state.details.set(cpId, detail);
      const entry = state.points.get(cpId);
      if (entry) updateCard(entry);
      return detail;
    } catch (error) {
      state.details.delete(cpId);
      return null;
    }
  }

  function fact(label, valueClass) {
    const dd = h("dd", { className: valueClass });
    return { row: h("div", {}, [h("dt", { text: label }), dd]), value: dd };
  }

  function buildCard(point) {
    const id = point.cp_id;
    const safeId = id.replace(/[^A-Za-z0-9_-]/g, "_");
    const refs = {};
    refs.name = h("span", { className: "card__name" });
    refs.star = h("button", { type: "button", className: "star", "aria-pressed": "false" });
    refs.star.addEventListener("click", function () {
      toggleFavorite(id);
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
      requestCharge(id);
    });
    refs.reason = h("p", { className: "card__reason", id: "reason-" + safeId });
    const el = h("li", { className: "card", "data-cp-id": id }, [
      h("div", { className: "card__head" }, [
        h("h3", { className: "card__title" }, [refs.name, h("span", { className: "card__id", text: id })]),
        refs.star,
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

  function updateCard(entry) {
    const p = entry.data;
    const r = entry.refs;
    const location = p.location || {};
    const detail = state.details.get(p.cp_id);
    setAttr(entry.el, "data-status", p.status);
    setText(r.name, p.name || p.cp_id);
    setText(r.status, POINT_LABELS[p.status] || p.status);
    setAttr(r.status, "data-status", p.status);
    setText(r.address, location.address || "");
    setText(r.power.value, fixed(p.power_kw, num(p.power_kw) % 1 ? 1 : 0) + " kW");
    setText(r.connector.value, p.connector_type || "—");
    const price = detail ? num(detail.price_eur_per_kwh) : null;
    setText(r.price.value, price === null ? "…" : "€" + price.toFixed(4) + "/kWh");
    setText(r.city.value, location.city || "—");
    const amenities = detail && Array.isArray(detail.amenities) ? detail.amenities : [];
    setText(r.amenities, amenities.length ? "Amenities: " + amenities.join(" · ") : "");
    show(r.amenities, amenities.length > 0);
    const distance = num(location.distance_km);
    show(r.distance.row, distance !== null);
    setText(r.distance.value, distance === null ? "" : distance.toFixed(1) + " km");
    const queue = num(p.queue_length) || 0;
    const wait = num(p.estimated_wait_minutes) || 0;
    const busy = p.status !== "FREE" || queue > 0;
    show(r.queue.row, busy);
    let queueText = queue === 0 ? "No queue" : queue === 1 ? "1 waiting" : queue + " waiting";
    if (wait > 0) queueText += " · ~" + Math.round(wait) + " min wait";
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
      if (session.cp_id === point.cp_id) return "Your " + session.status.toLowerCase() + " session is at this point.";
      return "You already have an open session (" + session.status + " at " + session.cp_id + ").";
    }
    if (point.status === "OCCUPIED") return "In use by another driver.";
    if (point.status === "OFFLINE") return "Offline: not available right now.";
    if (point.status !== "FREE") return "Not available.";
    return "";
  }

  function updateCardAction(entry) {
    const reason = entry.busy ? "Sending request…" : state.writing ? "" : requestBlockedReason(entry.data);
    const disabled = entry.busy || state.writing || Boolean(reason);
    if (entry.refs.request.disabled !== disabled) entry.refs.request.disabled = disabled;
    setText(entry.refs.reason, reason);
    show(entry.refs.reason, Boolean(reason));
  }

  function updateAllCardActions() {
    for (const entry of state.points.values()) updateCardAction(entry);
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

  async function requestCharge(cpId) {
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

  // ---------------------------------------------------------------------------------------------
  // The active session

  async function refreshSession() {
    const epoch = state.epoch;
    const session = await api("GET", DRIVER + "/sessions/current");
    if (epoch !== state.epoch) return;
    renderSession(session && session.session_id ? session : null);
  }

  function renderSession(session) {
    const key = JSON.stringify(session);
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
      setText($("session-queue"), queue === null ? "" : "#" + queue);
      const notes = {
        PENDING: "Waiting for the central controller to approve your request…",
        APPROVED: "Approved. Plug in: charging starts in a moment.",
        CHARGING: "Charging. Energy and cost update live.",
      };
      setText($("session-note"), notes[session.status] || "");
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

  function tickElapsed() {
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

  async function cancelRequest() {
    const session = state.session;
    if (!session || state.writing) return;
    await sessionWrite(function () {
      return api("DELETE", DRIVER + "/requests/" + encodeURIComponent(session.request_id));
    }, "Request cancelled.");
  }

  function askStop() {
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

  function onStopDialogClose() {
    const dialog = $("stop-dialog");
    if (dialog.returnValue === "confirm" && state.session) stopSession(state.session);
    else $("session-stop").focus();
  }

  async function stopSession(session) {
    await sessionWrite(function () {
      return api("POST", DRIVER + "/sessions/" + encodeURIComponent(session.session_id) + "/stop");
    }, "Charging stopped.");
  }

  // While one write is in flight every other write control is disabled (the buttons show it, and a
  // second click cannot race the first).
  function setWriting(writing) {
    state.writing = writing;
    if (!writing) state.epoch += 1;
    $("session-cancel").disabled = writing;
    $("session-stop").disabled = writing;
    updateAllCardActions();
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

  // ---------------------------------------------------------------------------------------------
  // Notifications and toasts

  async function refreshNotifications() {
    const notes = (await api("GET", DRIVER + "/notifications")) || [];
    const firstLoad = state.seenNotifications === null;
    if (firstLoad) state.seenNotifications = new Set();
    const fresh = [];
    for (const note of notes) {
      if (!state.seenNotifications.has(note.notification_id)) {
        state.seenNotifications.add(note.notification_id);
        if (!firstLoad) fresh.push(note);
      }
    }
    fresh.reverse().forEach(showToast);
    const key = JSON.stringify(notes);
    if (key === state.notificationsKey) return;
    state.notificationsKey = key;
    renderNotifications(notes);
  }

  function renderNotifications(notes) {
    const unread = notes.filter((n) => !n.read).length;
    const badge = $("unread-count");
    setText(badge, String(unread));
    setAttr(badge, "aria-label", unread + " unread");
    badge.classList.toggle("count--zero", unread === 0);
    $("mark-all-read").disabled = unread === 0;
    show($("notifications-empty"), notes.length === 0);
    const items = notes.slice(0, 30).map(function (note) {
      return h("li", { className: "note" + (note.read ? "" : " note--unread"), "data-type": note.type }, [
        h("span", { className: "note__type", text: note.type }),
        h("span", { className: "note__message", text: note.message }),
        h("time", { className: "note__time", datetime: note.created_at, text: dateTime(note.created_at) }),
        note.read ? null : h("span", { className: "visually-hidden", text: "(unread)" }),
      ]);
    });
    $("notifications").replaceChildren(...items);
  }

  function showToast(note) {
    const container = $("toasts");
    while (container.children.length >= MAX_TOASTS) container.firstElementChild.remove();
    const close = h("button", { type: "button", className: "toast__close", "aria-label": "Dismiss", text: "×" });
    const toast = h("div", { className: "toast", "data-type": note.type, "data-notification-id": note.notification_id }, [
      h("p", { className: "toast__message", text: note.message }),
      close,
    ]);
    const remove = function () {
      toast.classList.add("toast--leaving");
      window.setTimeout(function () {
        toast.remove();
      }, 200);
    };
    close.addEventListener("click", remove);
    container.append(toast);
    window.setTimeout(remove, config.toastMs);
  }

  async function markAllRead() {
    const button = $("mark-all-read");
    button.disabled = true;
    try {
      await api("POST", DRIVER + "/notifications/read-all");
      await refreshNotifications();
      announce("All notifications marked as read.");
    } catch (error) {
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Broadcast alerts

  function dismissedAlerts() {
    try {
      return new Set(JSON.parse(window.sessionStorage.getItem("dismissedAlerts") || "[]"));
    } catch (error) {
      return new Set();
    }
  }

  async function refreshAlerts() {
    const alerts = (await api("GET", DRIVER + "/alerts")) || [];
    const dismissed = dismissedAlerts();
    const visible = alerts.filter((a) => !dismissed.has(a.alert_id));
    const key = JSON.stringify(visible);
    if (key === state.alertsKey) return;
    state.alertsKey = key;
    const banners = visible.map(function (alert) {
      const close = h("button", {
        type: "button",
        className: "alert__close",
        "aria-label": "Dismiss alert: " + alert.title,
        text: "×",
      });
      close.addEventListener("click", function () {
        const ids = dismissedAlerts();
        ids.add(alert.alert_id);
        window.sessionStorage.setItem("dismissedAlerts", JSON.stringify(Array.from(ids)));
        state.alertsKey = "";
        refreshAlerts().catch(function () {});
      });
      const until = alert.expires_at ? " Until " + dateTime(alert.expires_at) + "." : "";
      return h("div", {
        className: "alert",
        "data-severity": alert.severity,
        "data-alert-id": alert.alert_id,
        role: alert.severity === "CRITICAL" ? "alert" : null,
      }, [
        h("div", { className: "alert__body" }, [
          h("strong", { className: "alert__title", text: alert.severity + ": " + alert.title }),
          h("span", { className: "alert__message", text: " " + alert.message + until }),
        ]),
        close,
      ]);
    });
    $("alerts").replaceChildren(...banners);
  }

  // ---------------------------------------------------------------------------------------------
  // History

  async function refreshHistory() {
    const sessions = (await api("GET", DRIVER + "/sessions/history")) || [];
    const key = JSON.stringify(sessions);
    if (key === state.historyKey) return;
    state.historyKey = key;
    show($("history-empty"), sessions.length === 0);
    const rows = sessions.slice(0, 50).map(function (s) {
      const receipt = s.receipt_url
        ? h("a", { href: s.receipt_url, text: "Receipt", "aria-label": "Receipt for session " + s.session_id })
        : null;
      return h("li", { className: "history__item", "data-session-id": s.session_id }, [
        h("div", { className: "history__head" }, [
          h("strong", { text: s.cp_id }),
          h("span", { className: "badge", "data-status": s.status, text: s.status }),
        ]),
        h("p", { className: "history__dates" }, [
          h("span", { className: "visually-hidden", text: "Started " }),
          h("time", { datetime: s.started_at || "", text: dateTime(s.started_at) }),
          " → ",
          h("span", { className: "visually-hidden", text: "ended " }),
          h("time", { datetime: s.completed_at || "", text: dateTime(s.completed_at) }),
        ]),
        h("p", { className: "history__figures" }, [
          h("span", { className: "history__energy", text: fixed(s.energy_kwh, 3) + " kWh" }),
          h("span", { className: "history__cost", text: "€" + fixed(s.cost_eur, 4) }),
          receipt,
        ]),
      ]);
    });
    $("history").replaceChildren(...rows);
  }

  // ---------------------------------------------------------------------------------------------
  // Central's reachability (GET /sync-status) and the connection line

  async function refreshSyncStatus() {
    try {
      return await api("GET", "/sync-status");
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return null; // not offered by this server
      throw error;
    }
  }

  function renderConnection(serverError, sync) {
    const line = $("connection");
    let stateName = "live";
    let text = "Live: refreshing every " + config.refreshMs / 1000 + " s";
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

  function signedOut() {
    state.stopped = true;
    window.clearTimeout(state.timer);
    const line = $("connection");
    setAttr(line, "data-state", "offline");
    const link = h("a", { href: config.loginUrl + "?next=/", text: "Sign in again" });
    $("connection-text").replaceChildren("You have been signed out. ", link);
  }

  // ---------------------------------------------------------------------------------------------
  // Polling

  async function poll() {
    if (state.stopped) return;
    if (state.polling) {
      state.pollAgain = true;
      return;
    }
    state.polling = true;
    window.clearTimeout(state.timer);
    state.pollCount += 1;
    const jobs = [refreshPoints(), refreshSession(), refreshNotifications(), refreshAlerts(), refreshSyncStatus()];
    if (state.pollCount % HISTORY_EVERY_N_POLLS === 1) jobs.push(refreshHistory());
    const results = await Promise.allSettled(jobs);
    const errors = results.filter((r) => r.status === "rejected").map((r) => r.reason);
    if (errors.some((e) => e instanceof HttpError && (e.status === 401 || e.status === 403))) {
      state.polling = false;
      signedOut();
      return;
    }
    const serverError = errors.find((e) => e instanceof NetworkError || (e instanceof HttpError && e.status >= 500));
    if (!serverError) state.lastUpdated = new Date();
    const sync = results[4].status === "fulfilled" ? results[4].value : null;
    renderConnection(serverError, sync);
    state.polling = false;
    if (state.pollAgain) {
      state.pollAgain = false;
      poll();
      return;
    }
    // A hidden tab polls less often; it catches up the moment it is shown again.
    const delay = document.hidden ? Math.max(config.refreshMs * 5, 10000) : config.refreshMs;
    state.timer = window.setTimeout(poll, delay);
  }

  function pollNow() {
    poll();
  }

  function showError(id, message) {
    const el = $(id);
    setText(el, message);
    show(el, true);
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  function askForPosition() {
    if (!("geolocation" in navigator)) return;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        state.position = {
          lat: position.coords.latitude.toFixed(5),
          lng: position.coords.longitude.toFixed(5),
        };
        refreshPoints().catch(function () {});
      },
      function () {
        // Declined or unavailable: distances fall back to the driver's home position, if any.
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 },
    );
  }

  function start() {
    state.filters = filtersFromUrl();
    filtersToForm(state.filters);
    const form = $("filters");
    form.addEventListener("change", filtersChanged);
    let typing = null;
    $("filter-power").addEventListener("input", function () {
      window.clearTimeout(typing);
      typing = window.setTimeout(filtersChanged, 400);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      filtersChanged();
    });
    form.addEventListener("reset", function () {
      window.setTimeout(filtersChanged, 0);
    });
    $("session-cancel").addEventListener("click", cancelRequest);
    $("session-stop").addEventListener("click", askStop);
    $("stop-dialog").addEventListener("close", onStopDialogClose);
    $("mark-all-read").addEventListener("click", markAllRead);
    window.setInterval(tickElapsed, 1000);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) pollNow();
    });
    loadAllCities();
    askForPosition();
    poll();
  }

  start();
})();
