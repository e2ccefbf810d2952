// The page's settings, from the template's `dashboard-config` json_script (the only global input).
export const config = JSON.parse(document.getElementById("dashboard-config").textContent);

// Every driver-scoped endpoint starts with this path.
export const DRIVER = "/drivers/" + encodeURIComponent(config.driverId);
