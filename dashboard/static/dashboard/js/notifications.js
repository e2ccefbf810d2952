// The notification list and its unread count, and a toast for each notification that arrives while the page is open.
import { api } from "./api.js";
import { config, DRIVER } from "./config.js";
import { $, announce, h, setAttr, setText, show } from "./dom.js";
import { dateTime } from "./format.js";
import { refreshSession } from "./session.js";
import { state } from "./state.js";

const MAX_TOASTS = 4;
const TYPE_WORDS = { SESSION: "Session", QUEUE: "Queue", ALERT: "Alert" };

export async function refreshNotifications() {
  const notes = (await api("GET", DRIVER + "/notifications")) || [];
  const firstLoad = state.seenNotifications === null;
  if (firstLoad) state.seenNotifications = new Set();
  const fresh = [];
  for (const note of notes) {
    if (!state.seenNotifications.has(note.notification_id)) {
      state.seenNotifications.add(note.notification_id);
      if (!firstLoad) fresh.push(note);
    }
  }
  // A toast about the session is shown only with the session read after it: the toast and the dock then tell
  // the same story (never "approved" over a dock that still says waiting).
  if (fresh.some((note) => note.type === "SESSION" || note.type === "QUEUE")) {
    await refreshSession().catch(function () {});
  }
  fresh.reverse().forEach(showToast);
  const key = JSON.stringify(notes);
  if (key === state.notificationsKey) return;
  state.notificationsKey = key;
  renderNotifications(notes);
}

function renderNotifications(notes) {
  const unread = notes.filter((n) => !n.read).length;
  const badge = $("unread-count");
  setText(badge, String(unread));
  setAttr(badge, "aria-label", unread + " unread");
  badge.classList.toggle("count--zero", unread === 0);
  $("mark-all-read").disabled = unread === 0;
  show($("notifications-empty"), notes.length === 0);
  const items = notes.slice(0, 30).map(function (note) {
    return h("li", { className: "note" + (note.read ? "" : " note--unread"), "data-type": note.type }, [
      h("span", { className: "note__type", text: TYPE_WORDS[note.type] || note.type }),
      h("span", { className: "note__message", text: note.message }),
      h("time", { className: "note__time", datetime: note.created_at, text: dateTime(note.created_at) }),
      note.read ? null : h("span", { className: "visually-hidden", text: "(unread)" }),
    ]);
  });
  $("notifications").replaceChildren(...items);
}

function showToast(note) {
  const container = $("toasts");
  while (container.children.length >= MAX_TOASTS) container.firstElementChild.remove();
  const close = h("button", { type: "button", className: "toast__close", "aria-label": "Dismiss", text: "×" });
  const toast = h("div", { className: "toast", "data-type": note.type, "data-notification-id": note.notification_id }, [
    h("p", { className: "toast__message", text: note.message }),
    close,
  ]);
  const remove = function () {
    toast.classList.add("toast--leaving");
    window.setTimeout(function () {
      toast.remove();
    }, 200);
  };
  close.addEventListener("click", remove);
  container.append(toast);
  window.setTimeout(remove, config.toastMs);
}

export async function markAllRead() {
  const button = $("mark-all-read");
  button.disabled = true;
  try {
    await api("POST", DRIVER + "/notifications/read-all");
    await refreshNotifications();
    announce("All notifications marked as read.");
  } catch {
    button.disabled = false;
  }
}
