"""A catalogue of 10,000 charging points: list, map and radius queries, and the poll applying central's picture
(a script that prints figures, not a test).

In its own PostgreSQL database (dropped and re-created, dropped again at the end), 10,000 points spread over
Massachusetts (~170 × 250 km), 500 finished sessions (the wait estimates' history) and 20 favorites. Through
Django's test client in this process (the whole stack: middleware, DRF, token authentication, the queries,
serialization), as a signed-in driver, each request with a different position / view / page:

- `GET /health`                                       the baseline, measured in the same run
- `GET /charging-points`                              the whole list (the specification's default)
- `…?limit=50&offset=…`                               one page of 50, anywhere in the list
- `…?bbox=…&include=details`                          a map's view of a city (~12 × 11 km), cards' details too
- `…?lat=…&lng=…&radius_km=5&ordering=distance`       a 5 km radius, nearest first
- `…?lat=…&lng=…&ordering=distance&limit=50`          the 50 nearest of all 10,000

and central's poll applying a 10,000-point `GET /cp` picture (`central_picture_apply` in a transaction, as the
poll runs it): nothing changed, and 1 % of the points changed (100, a third of them changing status).

    .venv/bin/python bench/catalogue_10k.py [--requests 200] [--polls 30] [--keep]

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_catalogue), BENCH_REDIS_URL
(default redis://127.0.0.1:6379/14, flushed at the start: the cache and the API's response cache, as deployed).
Target: every list, map or radius query except the whole list p95 ≤ 50 ms.
"""

import itertools
import os
import random
import statistics
import time

from _support import (
    arguments,
    bench_database_url,
    django_environment,
    django_setup,
    drop_database,
    percentile,
    recreate_database,
    timed,
)

DB_URL = bench_database_url("bench_catalogue")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
TARGET_MS = 50.0
POINTS = 10_000
AREA = {"min_lat": 41.5, "max_lat": 43.0, "min_lng": -73.5, "max_lng": -70.5}


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--requests", type=int, default=200, help="requests measured per query line")
    parser.add_argument("--polls", type=int, default=30, help="picture applications measured per poll line")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args()
    # The cache as deployed (Redis): `make run`'s embedded file cache lists its directory on every write, so the wait
    # estimates' per-point entries would measure the file system instead of the query.
    os.environ.update(django_environment(DB_URL, REDIS_URL=REDIS_URL))
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    recreate_database(DB_URL)
    try:
        django_setup()
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(DB_URL)


def seed(rng: random.Random):
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from chargingpoints.models import ChargingPoint, ConnectorType, PointStatus
    from drivers.models import Driver, Favorite
    from sessions_app.models import ChargingSession

    now = timezone.now()
    connectors = list(ConnectorType.values)
    points = ChargingPoint.objects.bulk_create(
        ChargingPoint(
            cp_id=f"CP-{i:05d}",
            name=f"Point {i}",
            address=f"{i} Bench Street",
            city=f"Town {i % 250}",
            latitude=rng.uniform(AREA["min_lat"], AREA["max_lat"]),
            longitude=rng.uniform(AREA["min_lng"], AREA["max_lng"]),
            connector_type=connectors[i % len(connectors)],
            power_kw=rng.choice([7.4, 11.0, 22.0, 50.0, 150.0]),
            price_eur_per_kwh=Decimal("0.3900"),
            amenities=["WiFi", "Restroom"] if i % 3 == 0 else [],
            status=rng.choice([PointStatus.FREE, PointStatus.FREE, PointStatus.OCCUPIED]),
            last_updated=now,
        )
        for i in range(POINTS)
    )
    user = get_user_model().objects.create_user(username="bench", password="bench-pass-123")
    driver = Driver.objects.create(driver_id="driver-bench", user=user, display_name="Bench Driver")
    Favorite.objects.bulk_create(Favorite(driver=driver, charging_point=p) for p in rng.sample(points, 20))
    sessions = []
    for i in range(500):
        end = now - timedelta(hours=i)
        sessions.append(
            ChargingSession(
                driver=driver,
                charging_point=points[rng.randrange(POINTS)],
                session_id=f"session-bench{i:05d}",
                request_id=f"req-bench{i:05d}",
                vehicle_id="vehicle-1",
                price_eur_per_kwh=Decimal("0.3900"),
                status="COMPLETED",
                started_at=end - timedelta(minutes=rng.randint(20, 90)),
                completed_at=end,
            )
        )
    ChargingSession.objects.bulk_create(sessions)
    call_analyze()
    return Token.objects.create(user=user).key, points


def call_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def radius_plan() -> str:
    """Whether PostgreSQL reads a radius search's rows through the (latitude, longitude) index."""
    from django.db import connection

    from chargingpoints.models import ChargingPoint
    from chargingpoints.selectors import radius_box
    from discovery.selectors import DISTANCE_ROUNDING_KM, _box_q

    query = ChargingPoint.objects.filter(_box_q(radius_box(42.1, -72.6, 5 + DISTANCE_ROUNDING_KM))).values_list(
        "pk", "cp_id", "latitude", "longitude"
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    return "index cp_latitude_longitude_idx" if "cp_latitude_longitude_idx" in plan else f"no index: {plan[:120]}"


def central_items(points, rng: random.Random) -> list[dict]:
    from chargingpoints.models import PointStatus

    items = []
    for point in points:
        busy = point.status == PointStatus.OCCUPIED
        items.append(
            {
                "cp_id": point.cp_id,
                "state": "ON",
                "engine_state": "SUPPLYING" if busy else "ACTIVATED",
                "communication_status": "OK",
                "current_driver": f"driver-{point.pk}" if busy else None,
                "current_session": f"central-{point.pk}" if busy else None,
                "telemetry": None,
            }
        )
    return items


def run(args) -> None:
    from django.db import connection, transaction
    from django.test import Client

    from central.sync.poll import central_picture_apply

    rng = random.Random(12)
    started = time.perf_counter()
    token, points = seed(rng)
    seed_s = time.perf_counter() - started
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    positions = [
        (round(rng.uniform(42.0, 42.5), 4), round(rng.uniform(-73.0, -71.0), 4)) for _ in range(args.requests + 10)
    ]
    sizes = {}

    def get(name: str, path_of):
        def call(i: int):
            response = client.get(path_of(i))
            assert response.status_code == 200, (response.status_code, response.content[:300])
            sizes.setdefault(name, []).append(len(response.json()))

        return call

    def view(i: int) -> str:
        lat, lng = positions[i]
        return f"bbox={lng - 0.075},{lat - 0.05},{lng + 0.075},{lat + 0.05}"

    def near(i: int) -> str:
        return f"lat={positions[i][0]}&lng={positions[i][1]}"

    queries = [
        ("GET /health (baseline)", "/health", args.requests, lambda i: "/health"),
        ("whole list (10,000)", "", max(5, args.requests // 20), lambda i: "/charging-points"),
        ("page of 50", "", args.requests, lambda i: f"/charging-points?limit=50&offset={(i * 50 * 37) % POINTS}"),
        ("map view + details", "", args.requests, lambda i: f"/charging-points?{view(i)}&include=details"),
        (
            "radius 5 km, by distance",
            "",
            args.requests,
            lambda i: f"/charging-points?{near(i)}&radius_km=5&ordering=distance",
        ),
        ("50 nearest of all", "", args.requests, lambda i: f"/charging-points?{near(i)}&ordering=distance&limit=50"),
    ]
    rows = [(label, n, timed(n, get(label, path_of))) for label, _, n, path_of in queries]
    whole_bytes = len(client.get("/charging-points").content)

    picture = central_items(points, rng)

    def apply(items):
        with transaction.atomic():
            return central_picture_apply(items)

    first = time.perf_counter()
    first_summary = apply(picture)  # stored live fields differ from the picture: everything is written once
    first_ms = (time.perf_counter() - first) * 1000
    unchanged = timed(args.polls, lambda i: apply(picture), warmup=2)
    changed_counts = []
    flips = itertools.count()

    def one_percent(i: int):
        for index in rng.sample(range(POINTS), POINTS // 100):
            item = picture[index]
            step = next(flips)
            if step % 3 == 0:  # a status change: FREE <-> OFFLINE
                item["state"] = "ON" if item["state"] == "BROKEN" else "BROKEN"
            else:  # telemetry only
                item["telemetry"] = {"kw": 11.0, "kwh": round(rng.uniform(0, 60), 3), "euros": 1.0, "session_id": ""}
        changed_counts.append(apply(picture)["changed"])

    changed = timed(args.polls, one_percent, warmup=2)

    print(
        f"{POINTS:,} points seeded in {seed_s:.1f} s; PostgreSQL {connection.pg_version // 10000}, Django test client "
        f"in process, token-authenticated driver; the whole list is {whole_bytes / 1e6:.1f} MB"
    )
    print(f"radius prefilter plan: {radius_plan()}")
    print(f"{'':30}{'items':>7}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    over = []
    for label, n, times in rows:
        items = (
            statistics.median(sizes.get(label, [0]))
            if label.startswith(("page", "map", "radius", "50", "whole"))
            else 0
        )
        p95 = percentile(times, 95)
        print(f"{label:30}{items:>7.0f}{n:>6}{statistics.median(times):9.1f}{p95:9.1f}{max(times):9.1f}")
        if not label.startswith(("GET /health", "whole")) and p95 > TARGET_MS:
            over.append(label)
    print(f"poll, first picture (all {first_summary['changed']:,} written) {first_ms:.0f} ms")
    for label, times in (
        ("poll, nothing changed", unchanged),
        (f"poll, 1 % changed (~{statistics.median(changed_counts):.0f})", changed),
    ):
        p50, p95 = statistics.median(times), percentile(times, 95)
        print(f"{label:30}{'':>7}{len(times):>6}{p50:9.1f}{p95:9.1f}{max(times):9.1f}")
    print(
        "list/map/radius p95 "
        + ("within" if not over else "OVER")
        + f" the {TARGET_MS:.0f} ms target"
        + (f": {', '.join(over)}" if over else "")
    )


if __name__ == "__main__":
    main()
