// Broadcast alerts: a banner each, until it expires or the driver dismisses it (for this tab's lifetime).
import { api } from "./api.js";
import { DRIVER } from "./config.js";
import { $, h } from "./dom.js";
import { dateTime } from "./format.js";
import { state } from "./state.js";

function dismissedAlerts() {
  try {
    return new Set(JSON.parse(window.sessionStorage.getItem("dismissedAlerts") || "[]"));
  } catch {
    return new Set();
  }
}

export async function refreshAlerts() {
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
