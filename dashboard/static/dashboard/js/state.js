// What the page knows between two refreshes; one object shared by the modules.
export const state = {
  filters: {},
  position: null,
  points: new Map(), // cp_id -> { data, el, refs }
  details: new Map(), // cp_id -> the point with price and amenities: the list item (include=details), else fetched once
  cities: new Set(),
  session: null,
  sessionKey: "init",
  queuePlace: null, // GET …/queue while the driver waits in a queue: their place and own wait
  writing: false,
  notificationsKey: "",
  seenNotifications: null,
  alertsKey: "",
  historyKey: "",
  pollCount: 0,
  lastUpdated: null,
  timer: null,
  // Bumped after every write: a read that started before it may carry the old state and is dropped.
  epoch: 0,
  polling: false,
  pollAgain: false,
  stopped: false,
};
