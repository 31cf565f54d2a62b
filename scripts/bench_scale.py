"""Benchmark (not a test): one client's latency on a national-scale database (issue 18 part 4).

    python scripts/bench_scale.py --url postgresql://postgres@127.0.0.1:5432/passage_bench_...
                                  [--requests 40] [--explain] [--only NAME ...]

The database is one scripts/bench_data.py made (the demo's users sign in). `passage serve`
(one worker) is started on it and each endpoint is requested `requests` times, one request
at a time, after two requests to warm up; printed: median, p95 and the largest, in ms, and
the issue's target. The ranges are three months (--from, --to). With --explain, each
endpoint is first run once in process and every statement it ran is explained (EXPLAIN
ANALYZE): its time and whether it read people, crossings, cases or audit events by a
sequential scan.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("PASSAGE_SECRET_KEY", "bench-secret-" + "x" * 40)
os.environ.setdefault("PASSAGE_ENV", "development")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.bench_http import free_port, stop, wait_for  # noqa: E402

VENV_BIN = Path(sys.executable).parent
BIG_TABLES = ("people", "crossings", "cases", "audit_events")


def endpoints(first: str, last: str, case_id: int, document: str) -> dict:
    """name: (role, path, target p95 in ms)"""
    months = f"from={first}&to={last}"
    return {
        "people search by name (page)": ("caseworker", "/people?name=aung", 150),
        "people search by name, coordinator": ("coordinator", "/people?name=min+htun", 150),
        "people search by name, border official": ("border", "/people?name=aung", 150),
        "people search by document (page)": ("coordinator", f"/people?document={document}",
                                             150),
        "case list (API)": ("caseworker", "/api/v1/cases", 100),
        "case list, open (API)": ("caseworker", "/api/v1/cases?status=open", 100),
        "work queue page (next step: interview)": ("caseworker",
                                                   "/cases?next_step=interview", 100),
        "work queue page (longest waiting)": ("caseworker", "/cases", 100),
        "work queue page (next step: decide)": ("caseworker", "/cases?next_step=decide", 100),
        "work queue page (next step: follow-up)": ("caseworker",
                                                   "/cases?next_step=follow_up", 100),
        "work queue page (referral, by name)": ("caseworker",
                                                "/cases?next_step=referral&sort=name", 100),
        "work queue page, page 101": ("caseworker", "/cases?offset=5000", 100),
        "work queue page, coordinator (decide)": ("coordinator", "/cases?next_step=decide",
                                                  100),
        "case list (API), page 200": ("caseworker", "/api/v1/cases?offset=9950", 100),
        "case page (API)": ("caseworker", f"/api/v1/cases/{case_id}", 100),
        "case page (page)": ("caseworker", f"/cases/{case_id}", 100),
        "nationality counts, 3 months": ("coordinator",
                                         f"/api/v1/stats/nationalities?{months}", 100),
        "pipeline, 3 months": ("coordinator", f"/api/v1/stats/pipeline?{months}", 100),
        "audit log by actor and dates": ("admin", f"/api/v1/audit?actor=caseworker&{months}",
                                         None),
        "audit log by action and dates": ("admin",
                                          f"/api/v1/audit?action=case.read&{months}", None),
        # what scripts/load.py's coordinators read, whole (no target of the issue's)
        "outcome counts": ("coordinator", "/api/v1/stats/outcomes", None),
        "statistics export (CSV)": ("coordinator", "/api/v1/reports/statistics?format=csv",
                                    None),
        "referral report (CSV), every referral": ("coordinator",
                                                  "/api/v1/reports/referrals?format=csv", None),
    }


def explain(url: str, chosen: dict, tokens: dict) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import event, text

    from app.config import get_settings
    from app.db import engine_for, session_factory_for
    from app.main import create_app

    engine = engine_for(url)
    app = create_app(get_settings(), session_factory=session_factory_for(engine))
    recorded: list | None = None

    @event.listens_for(engine, "before_cursor_execute")
    def _record(_conn, _cursor, statement, parameters, _context, executemany):
        if recorded is not None and not executemany and statement.lstrip().upper().startswith(
                ("SELECT", "WITH")):
            recorded.append((statement, parameters))

    with TestClient(app) as client:
        for name, (role, path, _target) in chosen.items():
            headers = {"Authorization": f"Bearer {tokens[role]}"}
            recorded = []
            response = client.get(path, headers=headers)
            statements, recorded = recorded, None
            print(f"\n=== {name}: {path} -> {response.status_code}")
            with engine.connect() as conn:
                for statement, parameters in statements:
                    plan = conn.exec_driver_sql(
                        "EXPLAIN (ANALYZE, FORMAT TEXT) " + statement, parameters).scalars().all()
                    total = plan[-1]
                    seq = [line.strip() for line in plan if "Seq Scan on" in line
                           and any(f"Seq Scan on {t} " in line for t in BIG_TABLES)]
                    print(f"  {' '.join(statement.split())[:110]}")
                    print(f"      {total}{'  SEQ SCAN: ' + '; '.join(seq) if seq else ''}")
                conn.execute(text("ROLLBACK"))
    engine.dispose()


def main() -> None:
    import httpx

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--from", dest="first", default="2026-06-01")
    parser.add_argument("--to", dest="last", default="2026-08-31")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", nargs="*", default=None, help="endpoint names containing")
    args = parser.parse_args()
    env = {**os.environ, "PASSAGE_DATABASE_URL": args.url}
    os.environ["PASSAGE_DATABASE_URL"] = args.url
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(VENV_BIN / "passage"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, server)
        tokens = {}
        for role in ("caseworker", "coordinator", "admin", "border"):
            response = httpx.post(base + "/api/v1/auth/token", timeout=60, data={
                "username": role, "password": f"passage-demo-{role}"})
            response.raise_for_status()
            tokens[role] = response.json()["access_token"]
        worker = {"Authorization": f"Bearer {tokens['caseworker']}"}
        cases = httpx.get(base + "/api/v1/cases", headers=worker, timeout=60,
                          params={"limit": 5}).json()["items"]
        from sqlalchemy import create_engine, text

        from scripts.scratch_database import psycopg_url
        engine = create_engine(psycopg_url(args.url))
        with engine.connect() as conn:
            document = conn.execute(text(
                "SELECT document_number FROM people WHERE document_number IS NOT NULL "
                "ORDER BY id DESC LIMIT 1 OFFSET 1000")).scalar()
        engine.dispose()
        chosen = {name: spec for name, spec in
                  endpoints(args.first, args.last, cases[0]["id"], document or "X").items()
                  if not args.only or any(o in name for o in args.only)}
        if args.explain:
            explain(args.url, chosen, tokens)
        print(f"\none client, {args.requests} requests each, {args.first} to {args.last}")
        print(f"{'endpoint':<42}{'status':>7}{'median':>9}{'p95':>9}{'max':>9}{'target':>8}")
        with httpx.Client(base_url=base, timeout=120) as client:
            for name, (role, path, target) in chosen.items():
                headers = {"Authorization": f"Bearer {tokens[role]}"}
                for _ in range(2):
                    status = client.get(path, headers=headers).status_code
                times = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    response = client.get(path, headers=headers)
                    times.append((time.perf_counter() - started) * 1000)
                    status = response.status_code
                times.sort()
                p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
                print(f"{name:<42}{status:>7}{statistics.median(times):>9.1f}{p95:>9.1f}"
                      f"{times[-1]:>9.1f}{target or '-':>8}", flush=True)
    finally:
        stop(server)


if __name__ == "__main__":
    main()
