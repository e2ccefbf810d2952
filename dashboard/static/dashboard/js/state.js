// What the page knows between two refreshes; one object shared by the modules.
export const state = {
  filters: {},
  position: null,
  // The list is read a page at a time (finder.js's "Show more points" adds a page), never the whole catalogue.
  listPageSize: 50,
  listLimit: 50,
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
  historyRows: [], // the last GET …/sessions/history: the summary card and the rows' names read it
  // The session that just ended, shown as a summary card until the driver dismisses it:
  // { session: its last /sessions/current body, row: its history entry once known }.
  summary: null,
  pollCount: 0,
  lastUpdated: null,
  timer: null,
  // Bumped after every write: a read that started before it may carry the old state and is dropped.
  epoch: 0,
  polling: false,
  pollAgain: false,
  stopped: false,
  // The live event stream is open (stream.js): the refresh loop then only runs a slow safety pass.
  streamOpen: false,
};
