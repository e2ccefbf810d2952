// The alert form's "Reaches N drivers" line: asks the admin's reach endpoint (BroadcastAlertAdmin.reach_view,
// the same rule that delivers alerts) whenever the chosen cities or points change, so the operator sees who
// will receive the alert before saving it.
"use strict";

(function () {
  const FIELDS = ["cities", "charging_points"];
  const DEBOUNCE_MS = 250;

  // Django's two-box widget moves the chosen options into `id_<field>_to` (all of them are the choice) once it
  // has started; before that, or without it, the plain multi-select's selected options are.
  function chosen(field) {
    const to = document.getElementById(`id_${field}_to`);
    if (to) {
      return Array.from(to.options, (option) => option.value);
    }
    const select = document.getElementById(`id_${field}`);
    return select ? Array.from(select.selectedOptions, (option) => option.value) : [];
  }

  function sentence(answer) {
    const drivers = answer.drivers === 1 ? "1 driver" : `${answer.drivers} drivers`;
    if (answer.everyone) {
      return `No cities or points chosen: this alert reaches every driver (${drivers} now).`;
    }
    return answer.drivers === 0
      ? "This alert reaches no driver now."
      : `This alert reaches ${drivers} now.`;
  }

  // Django's two-box widget labels its search icons with aria-label on a plain <span>, which assistive
  // technology may ignore (axe-core: aria-prohibited-attr); as images, their label is read.
  function labelIcons(root) {
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach((icon) => icon.setAttribute("role", "img"));
  }

  function start() {
    const output = document.getElementById("alert-reach");
    const form = output && output.closest("form");
    if (!form) {
      return;
    }
    // Shown at the end of the scope's fieldset, beside the fields it counts.
    const scopeRow = form.querySelector(".field-charging_points");
    if (scopeRow) {
      scopeRow.after(output);
    }
    let lastQuery = null;
    let timer = null;
    let asked = 0;

    async function refresh() {
      const query = new URLSearchParams();
      FIELDS.forEach((field) => chosen(field).forEach((value) => query.append(field, value)));
      const text = query.toString();
      if (text === lastQuery) {
        return;
      }
      lastQuery = text;
      const mine = ++asked;
      output.dataset.state = "loading";
      try {
        const response = await fetch(`${output.dataset.reachUrl}?${text}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const answer = await response.json();
        if (mine !== asked) {
          return; // a newer choice is already being counted
        }
        output.textContent = response.ok ? sentence(answer) : `Cannot count the drivers: ${answer.detail}`;
        output.dataset.drivers = response.ok ? String(answer.drivers) : "";
        output.dataset.state = response.ok ? "ready" : "error";
      } catch {
        if (mine === asked) {
          output.textContent = "Cannot count the drivers right now.";
          output.dataset.state = "error";
          lastQuery = null;
        }
      }
    }

    function soon() {
      labelIcons(form);
      clearTimeout(timer);
      timer = setTimeout(refresh, DEBOUNCE_MS);
    }

    // Options move between the two boxes by clicks, double-clicks and keys; watching the DOM sees them all.
    new MutationObserver(soon).observe(form, { childList: true, subtree: true });
    form.addEventListener("change", soon);
    refresh();
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
