// The point list's filters, kept in the URL query string.
import { ensureCityOption } from "./cities.js";
import { $, setText, show } from "./dom.js";
import { num } from "./format.js";
import { refreshPoints } from "./points.js";
import { state } from "./state.js";

const FILTER_KEYS = ["q", "ordering", "city", "connector_type", "min_power_kw", "only_available", "favorites_only"];
// `ordering` absent means nearest first (when a position is known, see points.js): only the others are kept.
const ORDERINGS = new Set(["power", "price", "name"]);
const MAX_SEARCH = 100;

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
  if (filters.ordering && !ORDERINGS.has(filters.ordering)) delete filters.ordering;
  if (filters.q) filters.q = filters.q.replace(/\s+/g, " ").slice(0, MAX_SEARCH);
  return filters;
}

export function filtersToForm(filters) {
  ensureCityOption(filters.city);
  $("filter-search").value = filters.q || "";
  $("filter-ordering").value = filters.ordering || "";
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
  const search = $("filter-search").value.replace(/\s+/g, " ").trim();
  const ordering = $("filter-ordering").value;
  if (search) filters.q = search.slice(0, MAX_SEARCH);
  if (ORDERINGS.has(ordering)) filters.ordering = ordering;
  if (city) filters.city = city;
  if (connector) filters.connector_type = connector;
  if (powerValid(power) && power) filters.min_power_kw = power;
  if ($("filter-availability").value === "true") filters.only_available = "true";
  if ($("filter-favorites").checked) filters.favorites_only = "true";
  return filters;
}

// A minimum power the API would refuse (400) is not applied: the field says why instead.
function powerValid(power) {
  const field = $("filter-power");
  // The browser empties `value` of a number field holding text it cannot parse ("abc"): badInput tells.
  let message = "";
  if (field.validity && field.validity.badInput) message = "Enter a number of kW, such as 50.";
  else if (power && !Number.isFinite(num(power))) message = "Enter a number of kW, such as 50.";
  else if (power && num(power) < 0) message = "The minimum power cannot be negative.";
  setText($("filter-power-error"), message);
  show($("filter-power-error"), Boolean(message));
  if (message) field.setAttribute("aria-invalid", "true");
  else field.removeAttribute("aria-invalid");
  return !message;
}

export function filtersChanged() {
  const filters = filtersFromForm();
  if (JSON.stringify(filters) === JSON.stringify(state.filters)) return;
  state.filters = filters;
  const query = new URLSearchParams(filters).toString();
  window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  refreshPoints().catch(function () {});
}
