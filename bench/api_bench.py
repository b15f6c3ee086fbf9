"""GET /api/v1/claims?limit=200 on 100,000 claims under gunicorn: first page against last page.

Target: p99 under 50 ms, and the last page as quick as the first (keyset paging on id, not
OFFSET). On PostgreSQL the query plan of both pages is printed too.

    .venv/bin/python bench/api_bench.py [--database-url URL] [--claims 100000] [--port 5081]

Without --database-url a SQLite database is built in a temporary folder (bench/dataset.py).
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from tracker.db import normalize_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
TARGET_P99_MS = 50.0


def cursor_after(claim_id: int) -> str:
    return base64.urlsafe_b64encode(str(claim_id).encode()).decode().rstrip("=")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def measure(session: requests.Session, url: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or len(response.json()["data"]) == 0:
            raise SystemExit(f"{url}: {response.status_code} {response.text[:200]}")
        times.append(elapsed)
    return times


# The page's queries as tracker/reads.py sends them (without filters), written out in full.
PLANS = {
    "claims": "SELECT * FROM claims WHERE claims.id > :after ORDER BY claims.id LIMIT 200",
    "tags": "SELECT claim_id, tag FROM claim_tags WHERE claim_id BETWEEN :low AND :high AND "
    "claim_id IN (SELECT claims.id FROM claims WHERE claims.id > :after ORDER BY claims.id "
    "LIMIT 200) ORDER BY claim_id, tag",
    "resolutions": "SELECT * FROM resolutions WHERE question_id IN (SELECT claims.question_id"
    " FROM claims WHERE claims.id > :after ORDER BY claims.id LIMIT 200)"
    " ORDER BY question_id, version, id",
}


def explain(url: str, after_id: int) -> str:
    engine = create_engine(normalize_url(url))
    lines = []
    with engine.connect() as connection:
        for name, sql in PLANS.items():
            rows = connection.execute(
                text(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}"),
                {"after": after_id, "low": after_id + 1, "high": after_id + 200},
            ).scalars()
            lines.append(f"    {name}:")
            lines += [f"      {row}" for row in rows if "Scan" in row or "Execution" in row]
    engine.dispose()
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=5081)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300, help="per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url
        if url is None:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            print(f"building {args.claims:,} claims in {url} ...", flush=True)
            subprocess.run(
                [sys.executable, str(HERE / "dataset.py"), url, str(args.claims)], check=True
            )
        engine = create_engine(normalize_url(url))
        with engine.connect() as connection:
            total, top = connection.execute(text("SELECT count(*), max(id) FROM claims")).one()
        engine.dispose()
        env = {
            **os.environ,
            "TRACKER_DATABASE_URL": url,
            "TRACKER_SECRET_KEY": "bench",
            "TRACKER_BASE_URL": f"http://127.0.0.1:{args.port}",
        }
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{args.port}", "--workers",
             str(args.workers), "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{args.port}/api/v1/claims?limit=200"
            session = requests.Session()
            for _ in range(100):
                try:
                    session.get(base, timeout=10)
                    break
                except requests.RequestException:
                    time.sleep(0.1)
            pages = {"first": base, "last": f"{base}&cursor={cursor_after(top - 200)}"}
            for page_url in pages.values():
                measure(session, page_url, 20)  # warm up both workers and caches
            results = {}
            # Interleaved rounds, so a burst of load on the machine hits both pages alike.
            for _ in range(5):
                for name, page_url in pages.items():
                    results.setdefault(name, []).extend(
                        measure(session, page_url, args.requests // 5)
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)
    backend = url.split(":", 1)[0]
    print(f"{backend}: {total:,} claims, GET /api/v1/claims?limit=200 under gunicorn "
          f"({args.workers} workers), {args.requests} requests per page")  # fmt: skip
    ok = True
    for name, times in results.items():
        p50, p95, p99 = (percentile(times, q) for q in (50, 95, 99))
        ok = ok and p99 < TARGET_P99_MS
        print(f"  {name:>5} page: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  "
              f"mean {statistics.mean(times):6.1f} ms")  # fmt: skip
    ratio = statistics.median(results["last"]) / statistics.median(results["first"])
    print(
        f"  last/first median ratio {ratio:.2f}; p99 target {TARGET_P99_MS} ms: "
        + ("met" if ok else "MISSED")
    )
    if backend.startswith("postgres"):
        print("  plan, first page:\n" + explain(url, 0))
        print(f"  plan, last page (after id {top - 200}):\n" + explain(url, top - 200))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
