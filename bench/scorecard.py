"""Scorecard benchmark: gunicorn (2 workers) under wrk, on a database of resolved forecasts.

    python -m bench.scorecard --claims 100000 --database-url URL [--skip-populate]

Measures, in one run against one server: GET /healthz and GET / (requests per second and p99
latency), GET / answered 304 (If-None-Match), the workers' memory (RSS), and the time to
resolve one forecast and see the scorecard change with 1,000 and with `--claims` forecasts
scored. Targets: / at least half /healthz's rate with p99 under 50 ms; 304 at least 90% of
/healthz; RSS under 150 MB; resolving within 2x between 1,000 and 100,000.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench.populate import populate
from tracker.db import make_engine, make_sessionmaker, normalize_url
from tracker.models import Claim
from tracker.scorecard import services as scorecard

ROOT = Path(__file__).resolve().parent.parent
WRK_SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WRK_CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def gunicorn(database_url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = dict(os.environ, TRACKER_DATABASE_URL=database_url, TRACKER_SECRET_KEY="bench")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrk(url: str, header: str | None = None) -> tuple[float, float, str]:
    """(requests per second, p99 in ms, status summary) of one wrk run."""
    command = ["wrk", "-t2", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", "--latency"]
    if header:
        command += ["-H", header]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, p99, f"{errors.group(1)} non-2xx/3xx" if errors else "all 2xx/3xx"


def median_run(runs: list[tuple[float, float, str]]) -> tuple[float, float, str]:
    """Median rate and median p99 of several runs (and the first run's status note)."""
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        runs[0][2],
    )


def worker_rss_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
        sizes.append(kb / 1024)
    return sizes


def resolve_timings(database_url: str, rounds: int = 40) -> tuple[float, float]:
    """Median ms to re-resolve one forecast (its sums updated, committed) and then to compute
    the front page's scorecard afresh."""
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    rng = random.Random(1)
    writes, reads = [], []
    with sessions() as session:
        ids = session.scalars(select(Claim.id).where(Claim.status == "resolved")).all()
        scorecard.compute(session, scorecard.Filters())
        session.commit()
        for _ in range(rounds):
            claim = session.get(Claim, rng.choice(ids))
            assert claim is not None
            started = time.perf_counter()
            claim.outcome = "false" if claim.outcome == "true" else "true"
            claim.resolved_at = dt.datetime.now(dt.UTC)
            scorecard.on_outcome_changed(session, claim)
            session.commit()
            writes.append(time.perf_counter() - started)
            started = time.perf_counter()
            scorecard.compute(session, scorecard.Filters())
            session.commit()
            reads.append(time.perf_counter() - started)
    engine.dispose()
    return statistics.median(writes) * 1000, statistics.median(reads) * 1000


def small_url(database_url: str) -> str:
    url = make_url(normalize_url(database_url))
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        return url.set(
            database=str(path.with_name(path.stem + "-1k" + path.suffix))
        ).render_as_string(hide_password=False)
    return url.set(database=f"{url.database}_1k").render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--skip-populate", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    url = args.database_url
    backend = make_url(normalize_url(url)).get_backend_name()
    print(f"== {backend}: {url}")
    if not args.skip_populate:
        for target, n in ((url, args.claims), (small_url(url), 1000)):
            timings = populate(target, n)
            print(
                f"populated {n:,} forecasts: insert {timings['insert_s']:.1f}s, "
                f"sums {timings['sums_s']:.1f}s"
            )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with gunicorn(url, port) as server:
        first = urllib.request.urlopen(base + "/", timeout=60)
        etag = first.headers["ETag"]
        first.read()
        for _ in range(4):  # each worker renders the page once
            urllib.request.urlopen(base + "/", timeout=60).read()
        # Interleaved rounds, medians reported: the machine is shared, its load drifts.
        runs: dict[str, list[tuple[float, float, str]]] = {"health": [], "page": [], "304": []}
        for _ in range(ROUNDS):
            runs["health"].append(wrk(base + "/healthz"))
            runs["page"].append(wrk(base + "/"))
            runs["304"].append(wrk(base + "/", header=f"If-None-Match: {etag}"))
        rss = worker_rss_mb(server.pid)
    health, page, not_modified = (median_run(runs[k]) for k in ("health", "page", "304"))
    print(f"wrk: 2 threads, {WRK_CONNECTIONS} connections, {ROUNDS} rounds of {WRK_SECONDS}s each")
    print(f"GET /healthz      {health[0]:8.0f} req/s  p99 {health[1]:6.1f} ms  ({health[2]})")
    print(
        f"GET /             {page[0]:8.0f} req/s  p99 {page[1]:6.1f} ms  ({page[2]})"
        f"  = {page[0] / health[0]:.0%} of /healthz (target >= 50%, p99 < 50 ms)"
    )
    print(
        f"GET / 304         {not_modified[0]:8.0f} req/s  p99 {not_modified[1]:6.1f} ms"
        f"  = {not_modified[0] / health[0]:.0%} of /healthz (target >= 90%)"
    )
    print(f"worker RSS        {', '.join(f'{r:.0f} MB' for r in rss)} (target < 150 MB)")
    small_write, small_read = resolve_timings(small_url(url))
    big_write, big_read = resolve_timings(url)
    print(
        f"resolve one       1,000 scored: {small_write:.1f} ms (+ scorecard {small_read:.1f} ms);"
        f" {args.claims:,} scored: {big_write:.1f} ms (+ scorecard {big_read:.1f} ms)"
        f"  ratio {big_write / small_write:.2f}x (+ {big_read / small_read:.2f}x) (target <= 2x)"
    )


if __name__ == "__main__":
    main()
