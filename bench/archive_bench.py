"""Export and restore of a large database, on SQLite and PostgreSQL: time and peak memory.

Targets: 100,000 claims each way in under 60 s, memory flat (the peak RSS at 100,000 claims about
the same as at 10,000). Each step runs `tracker export` / `tracker restore` in its own process so
that its peak RSS is its own.

    .venv/bin/python bench/archive_bench.py [--claims 100000] [--postgresql URL]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))


from tracker.db import normalize_url

TRACKER = str(Path(sys.executable).with_name("tracker"))
DATASET = str(Path(__file__).resolve().with_name("dataset.py"))
LIMIT_SECONDS = 60.0


def run(args: list[str], url: str, command: list[str] | None = None) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one `tracker` command, in a child process of its own.
    This process stays small (the data is built in a child too), since a child's peak RSS
    counts what it shared with its parent before exec."""
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "bench"}
    started = time.perf_counter()
    # The command is this virtualenv's own `tracker` (or Python) with fixed arguments.
    child = subprocess.Popen(
        [*(command or [TRACKER]), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    out, err = child.communicate()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"tracker {' '.join(args)} failed:\n{err.decode()}{out.decode()}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports KiB


class Databases:
    def __init__(self, folder: Path, pg_admin: str | None) -> None:
        self.folder = folder
        self.pg_admin = normalize_url(pg_admin) if pg_admin else None
        self.created: list[str] = []

    def new(self, backend: str) -> str:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        if backend == "sqlite":
            return f"sqlite:///{self.folder / (name + '.sqlite3')}"
        assert self.pg_admin is not None
        engine = create_engine(self.pg_admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        self.created.append(name)
        return make_url(self.pg_admin).set(database=name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if not self.pg_admin:
            return
        engine = create_engine(self.pg_admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def bench(backend: str, claims: int, databases: Databases, folder: Path) -> bool:
    source = databases.new(backend)
    built, _ = run([DATASET, source, str(claims)], source, [sys.executable])
    first = folder / f"{backend}-{claims}-a.jsonl"
    second = folder / f"{backend}-{claims}-b.jsonl"
    export_s, export_mb = run(["export", str(first)], source)
    target = databases.new(backend)
    _, baseline_mb = run(["db", "upgrade"], target)
    restore_s, restore_mb = run(["restore", str(first)], target)
    run(["export", str(second)], target)
    same = (
        hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    )
    size = first.stat().st_size / 2**20
    ok = export_s < LIMIT_SECONDS and restore_s < LIMIT_SECONDS and same
    print(
        f"{backend:<10} {claims:>7} claims  built {built:5.1f}s  file {size:6.1f} MiB  "
        f"export {export_s:5.1f}s  restore {restore_s:5.1f}s  "
        f"peak RSS export {export_mb:5.1f} MiB, restore {restore_mb:5.1f} MiB "
        f"(`tracker db upgrade` alone: {baseline_mb:5.1f} MiB)  "
        f"re-export identical: {'yes' if same else 'NO'}  {'ok' if ok else 'MISSED'}",
        flush=True,
    )
    first.unlink()
    second.unlink()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("TRACKER_TEST_DATABASE_URL"),
        help="an admin URL of a PostgreSQL server (databases are created and dropped)",
    )
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgresql else [])
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        databases = Databases(Path(folder), args.postgresql)
        try:
            for backend in backends:
                # A tenth of the size as well: flat memory means the same peak RSS at both.
                for size in sorted({max(1000, args.claims // 10), args.claims}):
                    ok = bench(backend, size, databases, Path(folder)) and ok
        finally:
            databases.drop()
    if not args.postgresql:
        print("PostgreSQL skipped: pass --postgresql URL or set TRACKER_TEST_DATABASE_URL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
