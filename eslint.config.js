// ESLint for the dashboard's browser code: native ES modules, no build step (`make lint-js`, part of `make test`).
import js from "@eslint/js";
import globals from "globals";

export default [
  // dashboard/static/vendor/: third-party code copied as published (scripts/vendor_leaflet.sh), not ours to lint.
  { ignores: ["**/node_modules/", ".venv/", "var/", "control/", "dashboard/static/vendor/"] },
  js.configs.recommended,
  {
    files: ["dashboard/static/dashboard/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      // The browser's globals only: the page's settings come from the `dashboard-config` element (config.js).
      globals: globals.browser,
    },
    rules: {
      eqeqeq: "error",
      "no-implicit-coercion": ["error", { allow: ["!!"] }],
      "no-shadow": "error",
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    // The admin's small classic scripts (Django's admin pages load them with a plain <script>).
    files: ["*/static/*/admin/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: globals.browser },
    rules: { eqeqeq: "error", "no-var": "error", "prefer-const": "error" },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
