// The list of the driver's past sessions.
import { api } from "./api.js";
import { pointName } from "./cards.js";
import { DRIVER } from "./config.js";
import { $, h, show } from "./dom.js";
import { euros, kwh, sessionDuration, sessionWords, shortDate } from "./format.js";
import { state } from "./state.js";
import { renderSummary } from "./summary.js";

export async function refreshHistory() {
  const sessions = (await api("GET", DRIVER + "/sessions/history")) || [];
  state.historyRows = sessions;
  renderSummary();
  const key = JSON.stringify(sessions);
  if (key === state.historyKey) return;
  state.historyKey = key;
  renderHistory(sessions);
}

// Names fetched for points the list does not hold: draw the rows again (once for several) when they arrive.
let redraw = null;
function redrawSoon() {
  if (redraw) return;
  redraw = window.setTimeout(function () {
    redraw = null;
    renderHistory(state.historyRows);
  }, 100);
}

// One row: the point's name, the date once and short, how long it charged, the status in words, the figures.
function renderHistory(sessions) {
  show($("history-empty"), sessions.length === 0);
  const rows = sessions.slice(0, 50).map(function (s) {
    const receipt = s.receipt_url
      ? h("a", { href: s.receipt_url, text: "Receipt", "aria-label": "Receipt for session " + s.session_id })
      : null;
    const name = pointName(s.cp_id, redrawSoon);
    const when = s.started_at || s.completed_at;
    const took = sessionDuration(s);
    return h("li", { className: "history__item", "data-session-id": s.session_id }, [
      h("div", { className: "history__head" }, [
        h("strong", { className: "history__point", text: name || s.cp_id, title: s.cp_id }),
        h("span", { className: "badge", "data-status": s.status, text: sessionWords(s.status) }),
      ]),
      h("p", { className: "history__dates" }, [
        h("time", { datetime: when || "", text: shortDate(when) }),
        took ? " · " + took : null,
      ]),
      h("p", { className: "history__figures" }, [
        h("span", { className: "history__energy", text: kwh(s.energy_kwh) }),
        h("span", { className: "history__cost", text: euros(s.cost_eur) }),
        receipt,
      ]),
    ]);
  });
  $("history").replaceChildren(...rows);
}
