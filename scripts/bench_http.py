"""Benchmark (not a test): Passage over HTTP against its limit, side by side in one run.

    python scripts/bench_http.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                 [--duration 10] [--connections 8] [--rounds 3]
                                 [--profile N] [--show-sql] [--keep]

Needs wrk (Debian's package: `apt-get install -y wrk`; the script installs it when it runs
as root and wrk is missing).

A scratch PostgreSQL database is created, migrated and loaded with the demo (`passage demo`).
Then, for each endpoint (the nationality counts, the case list, a case, people search by
name, an interview POST):

1. the SQL Passage runs for one request of the endpoint is captured in process (the token's
   lookup, the reads, the writes and the audit event, with their values);
2. `passage serve` (one worker) is measured with wrk at `connections` connections for
   `duration` seconds, signed in with a real bearer token, and at once after it the limit
   app (scripts/bench_bare.py: FastAPI and psycopg, nothing else; uvicorn with the same
   settings), which runs that captured SQL on one connection per request and commits once;
3. step 2 is repeated `rounds` times.

Printed: the medians of requests/s and p99 of each, and the ratio Passage/bare (issue 18:
0.5 or better), with each round's ratio. The machine may be shared: the ratio of a pair
measured side by side is what counts; absolute figures move with the load of the moment.
With --profile N, N requests of each endpoint are profiled in process with pyinstrument.
"""

import argparse
import json
import os
import pickle
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PASSAGE_SECRET_KEY", "bench-secret-" + "x" * 40)
os.environ.setdefault("PASSAGE_ENV", "development")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.scratch_database import create_database, drop_database  # noqa: E402

VENV_BIN = Path(sys.executable).parent

FROM, TO = "2025-01-01", "2025-12-31"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk"],
                       check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return shutil.which("wrk") or "wrk"
    raise SystemExit("wrk is needed: sudo apt-get install -y wrk")




def run_wrk(wrk: str, url: str, token: str, *, connections: int, duration: int,
            body: dict | None, workdir: Path) -> tuple[float, float, int]:
    """requests/s, p99 in ms and the number of non-2xx answers."""
    command = [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
               "-H", f"Authorization: Bearer {token}"]
    if body is not None:
        script = workdir / "post.lua"
        script.write_text('wrk.method = "POST"\n'
                          f"wrk.body = {json.dumps(json.dumps(body))}\n"
                          'wrk.headers["Content-Type"] = "application/json"\n')
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99_match = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    value, unit = float(p99_match.group(1)), p99_match.group(2)
    p99 = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, p99, int(errors.group(1)) if errors else 0


def profile(url: str, endpoints: dict, tokens: dict, requests: int,
            profile_dir: Path | None = None) -> None:
    """Where the time of `requests` requests of each endpoint goes, in process: the app is
    driven through httpx's ASGI transport on one thread, with the work FastAPI hands to its
    thread pool run in line, so that the profiler (which follows one thread) sees all of it.
    The same app, database and SQL as over HTTP, without the socket."""
    import asyncio

    import anyio.to_thread
    import httpx
    from pyinstrument import Profiler

    from app.config import get_settings
    from app.db import engine_for, session_factory_for
    from app.main import create_app

    async def inline(func, *args, **_options):
        return func(*args)

    anyio.to_thread.run_sync = inline
    app = create_app(get_settings(), session_factory=session_factory_for(engine_for(url)))

    async def run() -> None:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, (role, method, path, body) in endpoints.items():
                headers = {"Authorization": f"Bearer {tokens[role]}"}
                await client.request(method, path, headers=headers, json=body)
                profiler = Profiler(interval=0.0002, async_mode="disabled")
                started = time.perf_counter()
                with profiler:
                    for _ in range(requests):
                        await client.request(method, path, headers=headers, json=body)
                each = (time.perf_counter() - started) / requests * 1000
                print(f"\n=== {name}: {each:.1f} ms a request in process ===")
                text = profiler.output_text(unicode=False, color=False, short_mode=True)
                if profile_dir is not None:
                    (profile_dir / f"{name}.txt").write_text(text)
                    print(f"(whole profile in {profile_dir / (name + '.txt')})")
                print(text[:5000])

    asyncio.run(run())


def capture(url: str, endpoints: dict, tokens: dict) -> dict:
    """The statements Passage executes for one request of each endpoint (after one
    request to warm up), with their values and the ids their RETURNING gave back."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from app.config import get_settings
    from app.db import engine_for, session_factory_for
    from app.main import create_app

    engine = engine_for(url)
    app = create_app(get_settings(), session_factory=session_factory_for(engine))
    recorded: list | None = None

    @event.listens_for(engine, "after_cursor_execute")
    def _record(_conn, cursor, statement, parameters, _context, executemany):
        if recorded is None:
            return
        returned = None
        if not executemany and "RETURNING" in statement and cursor.description is not None:
            returned = [row[0] for row in cursor.fetchall()]
            cursor.scroll(0, mode="absolute")  # SQLAlchemy reads them again
        recorded.append((statement, parameters, executemany, returned))

    captured = {}
    with TestClient(app) as client:
        for name, (role, method, path, body) in endpoints.items():
            headers = {"Authorization": f"Bearer {tokens[role]}"}
            for attempt in range(2):
                recorded = [] if attempt else None
                response = client.request(method, path, headers=headers, json=body)
                assert response.status_code < 300, (name, response.status_code, response.text)
            captured[name] = recorded
            recorded = None
    engine.dispose()
    return captured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also profile N requests of each endpoint in process with "
                             "pyinstrument (pip install pyinstrument) and print where the "
                             "time went")
    parser.add_argument("--profile-dir", type=Path, default=None,
                        help="write each endpoint's whole profile there")
    parser.add_argument("--profile-only", action="store_true",
                        help="profile (--profile N) and stop: no wrk")
    parser.add_argument("--url", default=None,
                        help="an existing database with the demo loaded (kept --keep from an "
                             "earlier run) instead of a new scratch database")
    parser.add_argument("--show-sql", action="store_true",
                        help="print the start of each captured statement")
    args = parser.parse_args()
    wrk = None if args.profile_only else ensure_wrk()
    if args.profile_dir is not None:
        args.profile_dir.mkdir(parents=True, exist_ok=True)

    url = args.url or create_database(args.pg)
    os.environ["PASSAGE_DATABASE_URL"] = url
    workdir = Path(tempfile.mkdtemp(prefix="passage-bench-http-"))
    env = {**os.environ, "PASSAGE_DATABASE_URL": url}
    try:
        if args.url is None:
            subprocess.run([str(VENV_BIN / "passage"), "demo"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            # the planner's statistics of the rows just loaded, as autovacuum would give them
            # a minute later: planned as empty tables, a count over the demo took 0.5 s
            analyze(url)
        port = free_port()
        passage = subprocess.Popen(
            [str(VENV_BIN / "passage"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=(workdir / "passage.log").open("w"))
        try:
            wait_for(port, passage)
            results = measure_both(args, wrk, url, port, passage, env, workdir)
        finally:
            if passage.poll() is None:
                stop(passage)
    finally:
        if args.keep or args.url:
            print(f"kept: {url}")
        else:
            drop_database(url, args.pg)
        shutil.rmtree(workdir, ignore_errors=True)
    if results:
        print_table(results, args)


def analyze(url: str) -> None:
    import psycopg
    from sqlalchemy import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("ANALYZE")


def measure_both(args, wrk, url, port, passage, env, workdir) -> list:
    import httpx

    base = f"http://127.0.0.1:{port}"

    def token(username: str) -> str:
        response = httpx.post(base + "/api/v1/auth/token", timeout=30,
                              data={"username": username,
                                    "password": f"passage-demo-{username}"})
        response.raise_for_status()
        return response.json()["access_token"]

    tokens = {"caseworker": token("caseworker"), "coordinator": token("coordinator")}
    cases = httpx.get(base + "/api/v1/cases", params={"limit": 100}, timeout=30,
                      headers={"Authorization": f"Bearer {tokens['caseworker']}"}).json()
    open_cases = [c for c in cases["items"] if c.get("status") != "closed"]
    # the POSTs go to another case than the one read: their interviews would make it longer
    case_id, post_case_id = open_cases[0]["id"], open_cases[1]["id"]
    interview = {"consent_given": True, "language": "English",
                 "answers": {}, "narrative": "Benchmark interview."}
    endpoints = {
        "nationality_counts": ("coordinator", "GET",
                               f"/api/v1/stats/nationalities?from={FROM}&to={TO}", None),
        "case_list": ("caseworker", "GET", "/api/v1/cases", None),
        "case_page": ("caseworker", "GET", f"/api/v1/cases/{case_id}", None),
        "people_search": ("caseworker", "GET", "/people?name=aung", None),
        "interview_post": ("caseworker", "POST", f"/api/v1/cases/{post_case_id}/interviews",
                           interview),
    }
    if args.profile:
        profile(url, endpoints, tokens, args.profile, args.profile_dir)
    if args.profile_only:
        return []
    captured = capture(url, endpoints, tokens)
    if args.show_sql:
        for name, statements in captured.items():
            print(name)
            for statement, _parameters, many, _returned in statements:
                print("   ", "(many)" if many else "", " ".join(statement.split())[:150])
    capture_file = workdir / "capture.pickle"
    from sqlalchemy import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with capture_file.open("wb") as f:
        pickle.dump({"dsn": dsn, "endpoints": captured}, f)
    bare_port = free_port()
    bare = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "uvicorn", "bench_bare:app", "--host", "127.0.0.1",
         "--port", str(bare_port), "--workers", "1", "--log-level", "info",
         "--no-access-log"],
        cwd=ROOT / "scripts", env={**env, "PASSAGE_BENCH_CAPTURE": str(capture_file)},
        stdout=subprocess.DEVNULL, stderr=(workdir / "bare.log").open("w"))
    # Both servers are up (one of them idle at a time); each endpoint is measured on Passage
    # and then at once on the bare app, round after round, so that the two figures of a pair
    # share the machine's load of that moment; the medians of the rounds are printed.
    rounds: dict[str, list] = {name: [] for name in endpoints}
    try:
        wait_for(bare_port, bare)
        for _ in range(args.rounds):
            for name, (role, method, path, body) in endpoints.items():
                posted = body if method == "POST" else None
                passage_figures = run_wrk(
                    wrk, base + path, tokens[role], connections=args.connections,
                    duration=args.duration, body=posted, workdir=workdir)
                bare_figures = run_wrk(
                    wrk, f"http://127.0.0.1:{bare_port}/bare/{name}", tokens[role],
                    connections=args.connections, duration=args.duration, body=posted,
                    workdir=workdir)
                rounds[name].append((passage_figures, bare_figures))
    finally:
        stop(bare)
    return [(name, _median(pairs, 0), _median(pairs, 1), len(captured[name]),
             [p[0][0] / p[1][0] for p in pairs]) for name, pairs in rounds.items()]


def _median(pairs: list, side: int) -> tuple[float, float, int]:
    return (statistics.median(p[side][0] for p in pairs),
            statistics.median(p[side][1] for p in pairs), sum(p[side][2] for p in pairs))


def print_table(results: list, args) -> None:
    print(f"\nwrk, {args.connections} connections, {args.duration} s a measure, median of "
          f"{args.rounds} rounds; Passage (passage serve, 1 worker) and the bare app, side by "
          "side on the same database")
    print(f"{'endpoint':<20}{'statements':>11}{'Passage req/s':>15}{'p99 ms':>9}"
          f"{'bare req/s':>12}{'p99 ms':>9}{'ratio':>8}{'non-2xx':>9}   ratio of each round")
    for name, (rate, p99, errors), (bare_rate, bare_p99, bare_errors), statements, each in (
            results):
        print(f"{name:<20}{statements:>11}{rate:>15.0f}{p99:>9.1f}{bare_rate:>12.0f}"
              f"{bare_p99:>9.1f}{statistics.median(each):>8.2f}{errors + bare_errors:>9}   "
              + " ".join(f"{r:.2f}" for r in each))


if __name__ == "__main__":
    main()
