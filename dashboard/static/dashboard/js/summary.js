// The end of a session, in the session dock: a summary card (energy, cost, duration, receipt) that stays until the
// driver dismisses it; and the dock's size, which the page keeps free at its bottom (so nothing stays hidden
// under it) and the toasts stand above. The dock is fixed to the viewport: it never moves the list.
import { $, setAttr, setText, show } from "./dom.js";
import { euros, kwh, sessionDuration, sessionWords } from "./format.js";
import { state } from "./state.js";

const ENDINGS = {
  COMPLETED: "Charging complete",
  STOPPED: "Charging stopped",
  FAILED: "The session ended with a problem",
  DENIED: "Your request was not approved",
  CANCELLED: "Request cancelled",
};

function historyRow(session) {
  return state.historyRows.find((row) => row.request_id === session.request_id) || null;
}

export function openSummary(session) {
  state.summary = { session: session, row: null };
  renderSummary();
}

export function closeSummary() {
  if (!state.summary) return;
  state.summary = null;
  renderSummary();
}

// Called again whenever the history is read: the ended session's row brings its final status, figures and receipt.
export function renderSummary() {
  const summary = state.summary;
  show($("session-summary"), Boolean(summary));
  setAttr($("session-panel"), "data-summary", summary ? "shown" : null);
  if (summary) {
    summary.row = historyRow(summary.session) || summary.row;
    const row = summary.row;
    const figures = row || summary.session;
    setText($("session-summary-title"), row ? ENDINGS[row.status] || sessionWords(row.status) : "Session ended");
    setAttr($("session-summary"), "data-status", row ? row.status : "ENDED");
    setText($("session-status"), row ? sessionWords(row.status) : "Ended");
    setAttr($("session-status"), "data-status", row ? row.status : "ENDED");
    setText($("session-summary-energy"), kwh(figures.energy_kwh));
    setText($("session-summary-cost"), euros(figures.cost_eur));
    setText($("session-summary-duration"), sessionDuration(figures) || "—");
    setText($("session-summary-note"), row ? "" : "Getting the final figures from the central controller…");
    show($("session-summary-note"), !row);
    const receipt = $("session-summary-receipt");
    show(receipt, Boolean(row && row.receipt_url));
    if (row && row.receipt_url) {
      setAttr(receipt, "href", row.receipt_url);
      setAttr(receipt, "aria-label", "Receipt for session " + row.session_id + " (PDF)");
    }
  }
  syncDock();
}

export function dismissSummary() {
  closeSummary();
  show($("session-error"), false);
  syncDock();
  // Focus goes back to where the session lives in the page, without scrolling there.
  $("session-title").focus({ preventScroll: true });
}

export function syncDock() {
  const errorShown = !$("session-error").hidden;
  const open = Boolean(state.session) || Boolean(state.summary) || errorShown;
  show($("session-dock"), open);
  show($("session-end-actions"), !state.session && (Boolean(state.summary) || errorShown));
  $("session-panel").classList.toggle("session--docked", open);
  reserveSpace();
}

function reserveSpace() {
  const dock = $("session-dock");
  const height = dock.hidden ? 0 : Math.ceil(dock.getBoundingClientRect().height);
  // A little more than its height: the toasts and the page's last lines keep a gap above it.
  document.documentElement.style.setProperty("--session-dock-space", (height ? height + 8 : 0) + "px");
}

// The dock grows and shrinks with its content (a note, an error): keep the reserved space in step.
if ("ResizeObserver" in window) new ResizeObserver(reserveSpace).observe($("session-dock"));
