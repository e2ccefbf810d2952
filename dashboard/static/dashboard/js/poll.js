// The refresh loop: every few seconds all panels at once (history every tenth time), one run at a time; a run
// asked for during another starts right after it. A 401/403 stops the loop; a hidden tab polls less often.
import { HttpError, NetworkError } from "./api.js";
import { refreshAlerts } from "./alerts.js";
import { config } from "./config.js";
import { refreshSyncStatus, renderConnection, signedOut } from "./connection.js";
import { refreshHistory } from "./history.js";
import { refreshNotifications } from "./notifications.js";
import { refreshPoints } from "./points.js";
import { refreshSession } from "./session.js";
import { state } from "./state.js";
import { refreshWatches } from "./watches.js";

const HISTORY_EVERY_N_POLLS = 10;
// While the live event stream is open (stream.js) the page is told what changes: a poll this often is only a
// safety net (an event lost between two processes' commits, say).
const STREAM_SAFETY_MS = 30000;

export async function poll() {
  if (state.stopped) return;
  if (state.polling) {
    state.pollAgain = true;
    return;
  }
  state.polling = true;
  window.clearTimeout(state.timer);
  state.pollCount += 1;
  const jobs = [refreshPoints(), refreshSession(), refreshNotifications(), refreshAlerts(), refreshSyncStatus()];
  jobs.push(refreshWatches());
  if (state.pollCount % HISTORY_EVERY_N_POLLS === 1) jobs.push(refreshHistory());
  const results = await Promise.allSettled(jobs);
  // Signed out while this run was on its way: its requests were dropped, there is nothing to show.
  if (state.stopped) {
    state.polling = false;
    return;
  }
  const errors = results.filter((r) => r.status === "rejected").map((r) => r.reason);
  if (errors.some((e) => e instanceof HttpError && (e.status === 401 || e.status === 403))) {
    state.polling = false;
    signedOut();
    return;
  }
  const serverError = errors.find((e) => e instanceof NetworkError || (e instanceof HttpError && e.status >= 500));
  if (!serverError) state.lastUpdated = new Date();
  const sync = results[4].status === "fulfilled" ? results[4].value : null;
  renderConnection(serverError, sync);
  state.polling = false;
  if (state.pollAgain) {
    state.pollAgain = false;
    poll();
    return;
  }
  // A hidden tab polls less often; it catches up the moment it is shown again.
  let delay = document.hidden ? Math.max(config.refreshMs * 5, 10000) : config.refreshMs;
  if (state.streamOpen) delay = Math.max(delay, STREAM_SAFETY_MS);
  state.timer = window.setTimeout(poll, delay);
}
