// The city filter's options: every city seen, from the unfiltered list at start and from each refresh after.
import { api } from "./api.js";
import { $, h } from "./dom.js";
import { state } from "./state.js";

export function ensureCityOption(city) {
  if (!city) return;
  state.cities.add(city);
  renderCityOptions();
}

export function renderCityOptions() {
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

export async function loadAllCities() {
  try {
    const points = await api("GET", "/charging-points");
    for (const point of points || []) if (point.location && point.location.city) state.cities.add(point.location.city);
    renderCityOptions();
  } catch {
    // The city list then fills from the filtered results; nothing else depends on it.
  }
}
