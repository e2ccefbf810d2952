"""gunicorn's configuration file, used wherever the web process starts (Procfile, docker-compose, Dockerfile):
`gunicorn -c config/gunicorn_conf.py config.wsgi:application ...`.

gunicorn answers some malformed requests itself, before Django sees them: a request line over
`limit_request_line` (414), headers over `limit_request_field_size` or `limit_request_fields` (431), a request
line or header it cannot parse (400). Its workers all write those answers through `gunicorn.util.write_error`,
as a small HTML page, and gunicorn has no setting or hook for their format. Replacing that one function here
(this file runs in the master, before the workers fork) gives them the API's error shape, `{"detail": ...}`;
gunicorn still picks the status and logs the error. gunicorn is pinned in requirements.txt, and
tests/config/test_gunicorn_conf.py checks the answers against a real gunicorn.

Keep-alive: an open dashboard asks again every DASHBOARD_REFRESH_SECONDS (2 s). With gunicorn's default of 2 s the
connection was closed just as the next poll reused it (reset connections, failed requests under load); 75 s keeps
it open between polls, and is above the idle time-out of common load balancers (60 s), so they, not gunicorn,
close idle connections. Only the threaded worker keeps connections open (every start line passes `--threads`);
an idle one costs no thread, it waits in the worker's poller (up to `worker_connections` per worker).
"""

import json

from gunicorn import util


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Same contract as `gunicorn.util.write_error`: one complete response, then gunicorn closes the connection."""
    body = json.dumps({"detail": f"{reason}: {mesg}" if mesg else reason}).encode("ascii")
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = write_json_error

keepalive = 75
# 1,000 open dashboards on one machine (bench/open_dashboards.py) keep about 2,000 idle keep-alive connections
# between two workers; gunicorn's default of 1,000 per worker refused the rest (time-outs). An idle connection
# costs a socket in the poller, not a thread.
worker_connections = 4000
