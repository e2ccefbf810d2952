// The list of the driver's past sessions.
import { api } from "./api.js";
import { DRIVER } from "./config.js";
import { $, h, show } from "./dom.js";
import { dateTime, fixed } from "./format.js";
import { state } from "./state.js";

export async function refreshHistory() {
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
