// Numbers, times and durations as the page shows them.

export function num(value) {
  const n = Number(value);
  return value === null || value === undefined || value === "" || Number.isNaN(n) ? null : n;
}

export function fixed(value, digits) {
  const n = num(value);
  return (n === null ? 0 : n).toFixed(digits);
}

export function clock(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function dateTime(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

export function duration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return (hours ? hours + ":" + pad(minutes) : minutes) + ":" + pad(seconds);
}

// --- Driver-facing figures and words (issue 13) ---------------------------------------------------------------

// A session's status as the driver reads it (the raw value stays in data-status attributes for styling).
export const SESSION_WORDS = {
  PENDING: "Waiting for approval",
  APPROVED: "Approved",
  CHARGING: "Charging",
  COMPLETED: "Completed",
  STOPPED: "Stopped",
  CANCELLED: "Cancelled",
  DENIED: "Not approved",
  FAILED: "Failed",
};

export function sessionWords(status) {
  return SESSION_WORDS[status] || status || "";
}

// Rounded half-up on the decimal digits the API sent, as central rounds its own figures: 0.125 -> "0.13", and
// 1.005 -> "1.01" where toFixed on the binary double would say "1.00". The notifications use the same rule
// (sessions_app.services.transitions.format_figures), so the page and the messages agree.
export function halfUp(value, digits) {
  const n = num(value) || 0;
  // Six more digits than kept: far below the API's 4 decimals, far above a double's noise.
  const [whole, frac] = Math.abs(n).toFixed(digits + 6).split(".");
  let kept = BigInt(whole + frac.slice(0, digits));
  if (Number(frac[digits]) >= 5) kept += 1n;
  const text = kept.toString().padStart(digits + 1, "0");
  const out = digits ? text.slice(0, -digits) + "." + text.slice(-digits) : text;
  return (n < 0 && kept !== 0n ? "-" : "") + out;
}

export function kwh(value) {
  return halfUp(value, 2) + " kWh";
}

export function euros(value) {
  return "€" + halfUp(value, 2);
}

// A price per kWh: two decimals, more only when they matter ("€0.42/kWh", "€0.315/kWh").
export function pricePerKwh(value) {
  const n = num(value);
  if (n === null) return "…";
  return "€" + halfUp(n, 4).replace(/(\.\d\d\d?)0+$/, "$1").replace(/(\.\d\d)0$/, "$1") + "/kWh";
}

// "12 Mar, 14:05": the date once, short.
export function shortDate(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

// "45 s", "32 min", "1 h 05 min".
export function durationWords(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return total + " s";
  const minutes = Math.round(total / 60);
  if (minutes < 60) return minutes + " min";
  return Math.floor(minutes / 60) + " h " + String(minutes % 60).padStart(2, "0") + " min";
}

export function sessionDuration(session) {
  if (!session || !session.started_at) return "";
  const end = session.completed_at ? new Date(session.completed_at) : new Date();
  return durationWords(end - new Date(session.started_at));
}
