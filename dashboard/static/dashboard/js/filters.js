// The point list's filters, kept in the URL query string.
import { ensureCityOption } from "./cities.js";
import { $ } from "./dom.js";
import { num } from "./format.js";
import { refreshPoints } from "./points.js";
import { state } from "./state.js";

const FILTER_KEYS = ["city", "connector_type", "min_power_kw", "only_available", "favorites_only"];

export function filtersFromUrl() {
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

export function filtersToForm(filters) {
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

export function filtersChanged() {
  const filters = filtersFromForm();
  if (JSON.stringify(filters) === JSON.stringify(state.filters)) return;
  state.filters = filters;
  const query = new URLSearchParams(filters).toString();
  window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  refreshPoints().catch(function () {});
}
