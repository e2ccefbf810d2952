// Finding a point: the search box (applied as the driver types), the filters folded behind one button on a narrow
// screen, and "Show more points" (the list is read a page at a time, nearest first when a position is known).
import { $, setAttr, setText } from "./dom.js";
import { filtersChanged } from "./filters.js";
import { refreshPoints } from "./points.js";
import { state } from "./state.js";

const TYPING_MS = 400;
const FOLDED_FILTERS = ["city", "connector_type", "min_power_kw", "only_available", "favorites_only"];

export function initFinder() {
  let typing = null;
  $("filter-search").addEventListener("input", function () {
    window.clearTimeout(typing);
    typing = window.setTimeout(filtersChanged, TYPING_MS);
  });
  const toggle = $("filters-toggle");
  toggle.addEventListener("click", function () {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    setAttr(toggle, "aria-expanded", open ? "true" : "false");
    $("filters").classList.toggle("filters--open", open);
  });
  $("filters").addEventListener("change", labelToggle);
  $("filters").addEventListener("reset", function () {
    window.setTimeout(labelToggle, 0);
  });
  labelToggle();
  $("points-more").addEventListener("click", function () {
    state.listLimit += state.listPageSize;
    refreshPoints().catch(function () {});
  });
}

// The folded button says how many filters apply, so a phone user sees that the list is filtered.
function labelToggle() {
  const active = FOLDED_FILTERS.filter((key) => state.filters[key]).length;
  setText($("filters-toggle"), active ? "Filters (" + active + ")" : "Filters");
}
