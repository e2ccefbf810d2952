// Small DOM helpers: build a node once, then patch only what changed, so focus and scroll survive refreshes.

export const $ = (id) => document.getElementById(id);

export function h(tag, attrs, children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "className") el.className = value;
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children || []) {
    if (child !== null && child !== undefined) el.append(child);
  }
  return el;
}

export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function setAttr(el, name, value) {
  if (value === null || value === false) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== String(value)) {
    el.setAttribute(name, value === true ? "" : value);
  }
}

export function show(el, visible) {
  if (el.hidden === visible) el.hidden = !visible;
}

export function showError(id, message) {
  const el = $(id);
  setText(el, message);
  show(el, true);
}

export function announce(message) {
  const el = $("sr-announcer");
  el.textContent = "";
  // A fresh text node makes screen readers announce the same message twice in a row too.
  window.setTimeout(function () {
    el.textContent = message;
  }, 50);
}
