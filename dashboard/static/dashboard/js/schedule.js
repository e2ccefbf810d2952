// "Refresh now" for the modules below the refresh loop: main.js hands the loop over once at start, so a write
// can ask for a refresh without the write's module depending on every panel the loop refreshes.
let refresh = function () {};

export function setRefresh(fn) {
  refresh = fn;
}

export function pollNow() {
  refresh();
}
