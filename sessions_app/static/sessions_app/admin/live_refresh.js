// The sessions list follows live sessions: it says how old it is and reloads itself every few seconds while
// the operator is not typing or choosing in it (a reload would lose that) and the tab is visible.
"use strict";

(function () {
  function start() {
    const bar = document.getElementById("live-refresh");
    if (!bar) {
      return;
    }
    const seconds = Number(bar.dataset.seconds);
    const loadedAt = Date.now();
    const age = bar.querySelector("[data-age]");
    const toggle = bar.querySelector("input[type=checkbox]");
    toggle.checked = sessionStorage.getItem("live-refresh-off") !== "1";
    toggle.addEventListener("change", () => {
      sessionStorage.setItem("live-refresh-off", toggle.checked ? "0" : "1");
    });

    function busy() {
      const active = document.activeElement;
      const typing = active && active.matches("input[type=text], input[type=search], select, textarea");
      const chosen = document.querySelector("#result_list input.action-select:checked");
      return Boolean(typing || chosen);
    }

    setInterval(() => {
      const elapsed = Math.round((Date.now() - loadedAt) / 1000);
      age.textContent = elapsed < 2 ? "just now" : `${elapsed} s ago`;
      if (toggle.checked && elapsed >= seconds && document.visibilityState === "visible" && !busy()) {
        window.location.reload();
      }
    }, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
