#!/usr/bin/env bash
# ESLint on the dashboard's browser modules (eslint.config.js, pinned in package.json / package-lock.json).
# `npm ci` installs it into node_modules/ when the lock file is newer than the last install. Skips, saying so,
# only where node or npm is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "lint-js: SKIPPED, ESLint did not run: node/npm are not installed (apt-get install nodejs npm)." >&2
  exit 0
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx --no-install eslint --max-warnings 0
echo "lint-js: ESLint found no problems."
