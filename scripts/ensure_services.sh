#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on this machine for the tests: start them when they are down,
# install them (Debian) when they are missing. Commands from shared/docs/environment.md.
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! pg_up; then
  if ! ls /etc/postgresql >/dev/null 2>&1; then
    echo "PostgreSQL missing: installing it (apt-get)"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  echo "PostgreSQL down: starting it"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  # A fresh Debian cluster uses peer auth: allow trust on loopback for the tests.
  for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
fi
pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432: start it and run make test again" >&2; exit 1; }

if ! redis_up; then
  if ! command -v redis-server >/dev/null; then
    echo "Redis missing: installing it (apt-get)"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  echo "Redis down: starting it"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 50); do redis_up && break; sleep 0.2; done
fi
redis_up || { echo "Redis is not reachable on 127.0.0.1:6379: start it and run make test again" >&2; exit 1; }
echo "PostgreSQL and Redis are up."
