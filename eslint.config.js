// ESLint for the dashboard's browser code: native ES modules, no build step (`make lint-js`, part of `make test`).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["**/node_modules/", ".venv/", "var/", "control/"] },
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
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
