#!/usr/bin/env bash
# Run the whole suite on PostgreSQL. pytest's "no tests ran" (exit 5) counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest --create-db "$@"
code=$?
if [ "$code" = 5 ]; then
  echo "pytest ran no tests: failing the run" >&2
  exit 1
fi
exit "$code"
