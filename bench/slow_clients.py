"""/healthz under abuse, against the real server as `make run` starts it.

For --seconds (40) it keeps up: two clients sending a POST /login body one byte a second (each
reconnects as soon as the server cuts it off), and two anonymous clients asking for candidates of
a source of the largest size a source may have (2,000,000 characters), each at a random place in
its text so that no page comes from memory. Meanwhile /healthz is asked every 50 ms on a new
connection. Target: its p99 under 1 s.

    .venv/bin/python -m bench.slow_clients [--seconds 40] [--port 5082] [--server-args "..."]

--server-args adds gunicorn options after `make run`'s (for instance "--worker-class sync" to
see the sync workers this replaced).
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import select
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from tracker.app import create_app
from tracker.record import services
from tracker.record.services import MAX_TEXT_CHARS
from tracker.seed import fixture

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATA = ROOT / "tests" / "imports" / "data"
TARGET_P99_SECONDS = 1.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def largest_text() -> str:
    """The seed and labelled articles, paragraph after paragraph, to the largest size."""
    texts = [fixture()["source"]["text"]]
    texts += [
        (DATA / f"{name}-article.txt").read_text(encoding="utf-8")
        for name in ("reservoir", "ferry")
    ]
    article = "\n\n".join(texts) + "\n\n"
    return (article * (MAX_TEXT_CHARS // len(article) + 1))[: MAX_TEXT_CHARS - 1].rstrip() + "."


def prepare(url: str) -> int:
    """Migrate the database and archive the largest source; its id."""
    env = {**os.environ, "TRACKER_DATABASE_URL": url}
    subprocess.run([str(BIN / "tracker"), "db", "upgrade"], check=True, env=env, cwd=ROOT)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        session = app.extensions["tracker.sessions"]()
        source = services.record_source(session, title="The largest source", text=largest_text())
        session.commit()
        source_id = source.id
        session.close()
    app.extensions["tracker.engine"].dispose()
    return source_id


class Load:
    """The abusive clients, each in its own thread, until `stop` is set."""

    def __init__(self, base: str, source_id: int) -> None:
        self.host, port = base.removeprefix("http://").split(":")
        self.port = int(port)
        self.base = base
        self.source_id = source_id
        self.stop = threading.Event()
        self.cut_after: list[float] = []  # seconds a slow body lasted before the server ended it
        self.candidates: list[tuple[float, int, int]] = []  # (seconds, status, bytes)
        self.threads = [threading.Thread(target=self.slow_body, daemon=True) for _ in range(2)]
        self.threads += [
            threading.Thread(target=self.candidate_pages, daemon=True) for _ in range(2)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=70)

    def slow_body(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            with socket.create_connection((self.host, self.port)) as sock:
                sock.sendall(
                    b"POST /login HTTP/1.1\r\nHost: bench\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 1000\r\n\r\n"
                )
                while not self.stop.is_set():
                    readable, _, _ = select.select([sock], [], [], 1.0)
                    if readable:  # the server answered (408) or hung up
                        self.cut_after.append(time.monotonic() - started)
                        break
                    try:
                        sock.sendall(b"a")
                    except OSError:
                        self.cut_after.append(time.monotonic() - started)
                        break

    def candidate_pages(self) -> None:
        chance = random.Random()
        while not self.stop.is_set():
            offset = chance.randrange(MAX_TEXT_CHARS - 100)
            cursor = base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")
            url = f"{self.base}/api/v1/sources/{self.source_id}/candidates?cursor={cursor}"
            started = time.monotonic()
            try:
                response = requests.get(url, timeout=120)
            except requests.RequestException:
                self.candidates.append((time.monotonic() - started, 0, 0))
                continue
            self.candidates.append(
                (time.monotonic() - started, response.status_code, len(response.content))
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--port", type=int, default=5082)
    parser.add_argument("--server-args", default="", help="more gunicorn options")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        print(f"archiving a {MAX_TEXT_CHARS:,}-character source in {url} ...", flush=True)
        source_id = prepare(url)
        env = {
            **os.environ,
            "TRACKER_DATABASE_URL": url,
            "TRACKER_SECRET_KEY": "bench",
            "TRACKER_BASE_URL": f"http://127.0.0.1:{args.port}",
        }
        # As `make run` starts it (Makefile, target run), plus any --server-args.
        command = [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{args.port}", *shlex.split(args.server_args)]
        command += ["wsgi:app"]
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{args.port}"
        load = Load(base, source_id)
        probes: list[float] = []
        failures = 0
        try:
            for _ in range(300):
                try:
                    requests.get(f"{base}/healthz", timeout=10)
                    break
                except requests.RequestException:
                    time.sleep(0.1)
            load.start()
            time.sleep(2)  # the slow bodies are being read, the first pages being worked out
            ends = time.monotonic() + args.seconds
            while time.monotonic() < ends:
                started = time.monotonic()
                try:
                    ok = requests.get(f"{base}/healthz", timeout=30).status_code == 200
                except requests.RequestException:
                    ok = False
                probes.append(time.monotonic() - started)
                failures += not ok
                time.sleep(max(0.0, 0.05 - (time.monotonic() - started)))
        finally:
            load.finish()
            server.terminate()
            server.wait(timeout=30)
    print(f"gunicorn {' '.join(command[1:])}")
    print(
        f"{args.seconds:.0f} s under two slow POST /login bodies (a byte a second) and two "
        f"anonymous candidates clients on a {MAX_TEXT_CHARS:,}-character source"
    )
    p50, p99 = percentile(probes, 50), percentile(probes, 99)
    verdict = "ok" if p99 < TARGET_P99_SECONDS and failures == 0 else "MISSED"
    print(
        f"  /healthz: {len(probes)} probes, p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {max(probes) * 1000:.0f} ms, {failures} failed  [target p99 < 1 s: {verdict}]"
    )
    times = [seconds for seconds, _, _ in load.candidates]
    statuses = sorted({status for _, status, _ in load.candidates})
    if times:
        print(
            f"  candidates: {len(times)} pages at random places, p50"
            f" {percentile(times, 50) * 1000:.0f} ms, p99 {percentile(times, 99) * 1000:.0f} ms,"
            " largest answer "
            f"{max(size for _, _, size in load.candidates):,} bytes, statuses {statuses}"
        )
    if load.cut_after:
        print(
            f"  slow bodies: cut off {len(load.cut_after)} times, after "
            f"{statistics.median(load.cut_after):.1f} s (median)"
        )
    else:
        print("  slow bodies: never cut off during the run")
    if verdict != "ok":
        raise SystemExit(1)


if __name__ == "__main__":
    main()
