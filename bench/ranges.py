"""Scorecards over date ranges, and the first page after a resolution, at two sizes.

    python -m bench.ranges --sizes 100000,1000000 --sqlite /tmp/tracker-ranges \
        --postgres postgresql://postgres@127.0.0.1:5432/tracker_ranges

For each size and database (SQLite file PREFIX-N.sqlite3, PostgreSQL database NAME_N; each is
built once by `bench.populate` and reused while it holds N forecasts), in one process through
the application (Flask's test client: the server's own time, without the network):

- counting every forecast again (`tracker score --rebuild`): target under 60 s at 1,000,000;
- the first GET / after a resolution (one forecast re-resolved and committed, then the page):
  median and p99 of ROUNDS rounds, target p99 under 100 ms;
- GET /api/v1/scorecard and GET / with RANGES random from/to pairs each (every one a new
  range, so never cached): p50 and p99, target p99 under 100 ms. The page lists its
  speakers and outlets from their totals and reads bins for the overall calibration only; the
  API gives every group its calibration, so it reads every group's bins;
- and how the figures at the largest size compare with the smallest: target at most 1.5x.

Each line also gives the median CPU time of this process per request (on SQLite, where the
database works in this process, nearly all of the work; less sensitive to other processes
sharing the machine than the elapsed time) and the load average when it was measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bench.populate import START, populate
from tracker.app import create_app
from tracker.db import make_engine, make_sessionmaker, normalize_url
from tracker.models import Claim
from tracker.scorecard import services as scorecard

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
RANGES = int(os.environ.get("BENCH_RANGES", "60"))
TARGET_MS = 100.0
SPAN_DAYS = 3650  # bench.populate's deadlines: ten years from START
FIRST = "first GET / after a resolution"
API = "GET /api/v1/scorecard?from&to"
PAGE = "GET /?from&to"


def forecasts_in(url: str) -> int | None:
    """How many claims the database at `url` holds, None if it has none or is not there."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite" and not os.path.exists(parsed.database or ""):
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(Claim.__table__)) or 0)
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Figures:
    rebuild_s: float
    first_page: list[float]
    api_ranges: list[float]
    page_ranges: list[float]
    cpu: dict[str, list[float]] = field(default_factory=dict)
    load: dict[str, float] = field(default_factory=dict)


_cpu: list[float] = []  # this process's CPU time of each timed request, in ms


def timed_get(client: FlaskClient, path: str) -> float:
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    _cpu.append((time.process_time() - cpu) * 1000)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return elapsed


def random_ranges(rng: random.Random, count: int) -> list[str]:
    """`count` distinct from/to query strings over (and a little beyond) the deadlines."""
    start = START.date() - dt.timedelta(days=60)
    seen: set[str] = set()
    while len(seen) < count:
        a, b = sorted(start + dt.timedelta(days=rng.randrange(SPAN_DAYS + 120)) for _ in "ab")
        seen.add(f"from={a.isoformat()}&to={b.isoformat()}")
    return sorted(seen, key=lambda _: rng.random())


def measure(url: str, rng: random.Random) -> Figures:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        started = time.perf_counter()
        scorecard.rebuild(session)
        session.commit()
        rebuild_s = time.perf_counter() - started
        rebuild_load = os.getloadavg()[0]
        resolved = session.scalars(select(Claim.id).where(Claim.status == "resolved")).all()
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": "memory://"}
    )
    gc.freeze()  # as wsgi.py does once the application is built, in every gunicorn worker
    client = app.test_client()
    timed_get(client, "/")  # the process's first page: templates compiled, connections open
    cpu: dict[str, list[float]] = {}
    load: dict[str, float] = {"rebuild": rebuild_load}
    first_page = []
    _cpu.clear()
    with app.app_context(), sessions() as session:
        for _ in range(ROUNDS):
            claim = session.get(Claim, rng.choice(resolved))
            assert claim is not None
            claim.outcome = "false" if claim.outcome == "true" else "true"
            claim.resolved_at = dt.datetime.now(dt.UTC)
            scorecard.on_outcome_changed(session, claim)
            session.commit()
            first_page.append(timed_get(client, "/"))
    cpu[FIRST], load[FIRST] = _cpu[:], os.getloadavg()[0]
    _cpu.clear()
    api = [timed_get(client, f"/api/v1/scorecard?{q}") for q in random_ranges(rng, RANGES)]
    cpu[API], load[API] = _cpu[:], os.getloadavg()[0]
    _cpu.clear()
    pages = [timed_get(client, f"/?{q}") for q in random_ranges(rng, RANGES)]
    cpu[PAGE], load[PAGE] = _cpu[:], os.getloadavg()[0]
    engine.dispose()
    return Figures(rebuild_s, first_page, api, pages, cpu, load)


def line(name: str, values: list[float], figures: Figures) -> str:
    p99 = percentile(values, 0.99)
    verdict = "ok" if p99 < TARGET_MS else "OVER"
    return (
        f"  {name:<34} p50 {statistics.median(values):6.1f} ms  p99 {p99:6.1f} ms"
        f"  max {max(values):6.1f} ms  ({len(values)} requests;"
        f" target p99 < {TARGET_MS:.0f}: {verdict};"
        f" CPU p50 {statistics.median(figures.cpu[name]):5.1f} ms, load {figures.load[name]:.2f})"
    )


def urls(args: argparse.Namespace, size: int) -> list[tuple[str, str]]:
    found = []
    if args.sqlite:
        found.append(("sqlite", f"sqlite:///{args.sqlite}-{size}.sqlite3"))
    if args.postgres:
        parsed = make_url(normalize_url(args.postgres))
        name = f"{parsed.database}_{size}"
        found.append(("postgresql", parsed.set(database=name).render_as_string(False)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--sqlite", help="path prefix of the SQLite files")
    parser.add_argument("--postgres", help="URL of the PostgreSQL database (suffixed _N)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[tuple[str, int], Figures] = {}
    for size in sizes:
        for backend, url in urls(args, size):
            if forecasts_in(url) != size:
                print(f"building {url} with {size:,} resolved forecasts (once; kept for reuse)")
                timings = populate(url, size)
                print(f"  insert {timings['insert_s']:.1f} s, sums {timings['sums_s']:.1f} s")
            figures = measure(url, random.Random(size))
            results[backend, size] = figures
            verdict = "ok" if size < 1_000_000 or figures.rebuild_s < 60 else "OVER"
            print(f"== {backend}, {size:,} resolved forecasts ({url})")
            print(
                f"  counting every forecast again      {figures.rebuild_s:6.1f} s ({verdict};"
                f" load {figures.load['rebuild']:.2f})"
            )
            print(line(FIRST, figures.first_page, figures))
            print(line(API, figures.api_ranges, figures))
            print(line(PAGE, figures.page_ranges, figures))
    small, large = min(sizes), max(sizes)
    if small == large:
        return
    print(f"== {large:,} against {small:,} (target at most 1.5x)")
    pick: dict[str, Callable[[Figures], list[float]]] = {
        FIRST: lambda f: f.first_page,
        API: lambda f: f.api_ranges,
        PAGE: lambda f: f.page_ranges,
    }
    for backend in ("sqlite", "postgresql"):
        if (backend, small) not in results or (backend, large) not in results:
            continue
        for name, get in pick.items():
            a, b = get(results[backend, small]), get(results[backend, large])
            p50 = statistics.median(b) / statistics.median(a)
            p99 = percentile(b, 0.99) / percentile(a, 0.99)
            verdict = "ok" if max(p50, p99) <= 1.5 else "OVER"
            print(f"  {backend:<10} {name:<34} p50 {p50:4.2f}x  p99 {p99:4.2f}x  ({verdict})")


if __name__ == "__main__":
    main()
