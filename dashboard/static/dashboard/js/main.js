/* The driver's dashboard: plain JavaScript modules on top of the REST API (see driver-dashboard-api.md).
 *
 * Every few seconds it polls the API and updates only the parts of the page whose data changed; the
 * DOM nodes of a card or panel are built once and their texts/attributes are patched afterwards, so
 * keyboard focus and scroll position survive the refreshes. Filters live in the URL query string.
 *
 * This module wires the page's controls to the modules and starts the refresh loop.
 */
import { abortAll } from "./api.js";
import { loadAllCities } from "./cities.js";
import { $ } from "./dom.js";
import { filtersChanged, filtersFromUrl, filtersToForm } from "./filters.js";
import { initFinder } from "./finder.js";
import { initMap } from "./map.js";
import { markAllRead } from "./notifications.js";
import { askForPosition } from "./points.js";
import { poll } from "./poll.js";
import { pollNow, setRefresh } from "./schedule.js";
import { askStop, cancelRequest, onStopDialogClose, tickElapsed } from "./session.js";
import { state } from "./state.js";
import { startStream, stopStream } from "./stream.js";
import { dismissSummary } from "./summary.js";

function start() {
  setRefresh(poll);
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
  initFinder();
  initMap();
  $("session-cancel").addEventListener("click", cancelRequest);
  $("session-stop").addEventListener("click", askStop);
  $("stop-dialog").addEventListener("close", onStopDialogClose);
  $("session-dismiss").addEventListener("click", dismissSummary);
  $("mark-all-read").addEventListener("click", markAllRead);
  window.setInterval(tickElapsed, 1000);
  // Signing out: no poll may start or land once the form is on its way (it would meet the ended session).
  const logout = $("logout-button");
  if (logout) {
    logout.form.addEventListener("submit", function () {
      state.stopped = true;
      stopStream();
      window.clearTimeout(state.timer);
      abortAll();
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) pollNow();
  });
  loadAllCities();
  askForPosition();
  poll();
  startStream();
}

start();
