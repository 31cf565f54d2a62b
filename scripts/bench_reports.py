"""Benchmark (not a test) of the referral report: time and peak memory of a 100,000-row report
in CSV and XLSX.

    python scripts/bench_reports.py [--rows 100000] [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                    [--no-http]

For each database (a scratch SQLite file, and PostgreSQL when --pg is given) it bulk-inserts
`rows` referrals (people with Latin, Thai, Burmese, Chinese and Devanagari names; a quarter
anonymous; some recipients that look like formulas), then for each format:

- in process: a fresh Python process runs the export service and reads the whole body into
  a byte counter, and reports its time and its peak resident memory (VmHWM), beside the
  memory it had before the export started (imports and app);
- over HTTP: `passage serve` on a free port, the report downloaded with httpx as a stream,
  and the server process's peak resident memory (VmHWM) read from /proc.

Targets (issue 5): under 150 MB peak, and at least 20,000 rows/s for CSV.
Every database is a scratch one, created here and dropped at the end.
"""

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PASSAGE_SECRET_KEY", "bench-secret-" + "x" * 40)
os.environ.setdefault("PASSAGE_ARGON2_TIME_COST", "1")
os.environ.setdefault("PASSAGE_ARGON2_MEMORY_COST", "8192")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench password long enough"  # noqa: S105 (a scratch database)
COORDINATOR = "bench-coordinator"
BATCH = 5000
NAMES = [("Maria José", "Santos"), ("สมชาย", "แก้วมณี"), ("အောင်ဆန်း", "စုကြည်"),
         ("王小明", "李"), ("अनन्या", "राव"), ("Nguyễn Văn", "An"), ("Abebe", "Bekele")]
NATIONALITIES = ["PH", "TH", "MM", "CN", "IN", "VN", "ET"]
RECIPIENTS = ["Mae Sot Safe House", "Mae Sot General Hospital", "IOM Mae Sot",
              '=HYPERLINK("http://example.org","x")', "Tak Legal Clinic", "@Embassy"]
SERVICES = ["shelter", "medical", "repatriation", "legal", "psychosocial", "embassy"]
STATUSES = ["pending", "accepted", "declined", "completed"]


def psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


# --- scratch databases ------------------------------------------------------------------

def create_database(pg_server: str | None, workdir: Path) -> str:
    from sqlalchemy import create_engine, make_url, text

    from app.migrate import upgrade

    if pg_server:
        name = f"passage_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(psycopg_url(pg_server), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    return url


def drop_database(url: str, pg_server: str | None) -> None:
    if not pg_server:
        return
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(psycopg_url(pg_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def seed(url: str, rows: int) -> None:
    """`rows` referrals, each of its own case and person, in bulk."""
    from sqlalchemy import insert

    from app.audit.service import Actor
    from app.auth import service as auth_service
    from app.cases.models import Case
    from app.db import make_engine, session_factory_for
    from app.people.models import Person
    from app.people.service import name_key
    from app.referrals.models import Referral

    engine = make_engine(url)
    with session_factory_for(engine)() as session:
        actor = Actor.system("bench")
        ngo = auth_service.get_or_create_organization(session, name="Bench NGO", kind="ngo")
        office = auth_service.get_or_create_organization(session, name="Bench Office",
                                                         kind="coordination")
        caseworker = auth_service.create_user(session, actor=actor, username="bench-caseworker",
                                              password=PASSWORD, role="caseworker",
                                              organization=ngo)
        auth_service.create_user(session, actor=actor, username=COORDINATOR, password=PASSWORD,
                                 role="coordinator", organization=office)
        session.commit()
        ngo_id, user_id = ngo.id, caseworker.id
    start = datetime(2025, 10, 20, tzinfo=UTC)
    with engine.begin() as conn:
        for first in range(1, rows + 1, BATCH):
            ids = range(first, min(first + BATCH, rows + 1))
            people, cases, referrals = [], [], []
            for i in ids:
                given, family = NAMES[i % len(NAMES)]
                at = start + timedelta(minutes=i)
                people.append({
                    "id": i, "given_name": given, "family_name": family,
                    "name_key": name_key(given, family), "sex": ("female", "male")[i % 2],
                    "date_of_birth": date(1990 + i % 15, 1 + i % 12, 1 + i % 28),
                    "nationality_code": NATIONALITIES[i % len(NATIONALITIES)],
                    "document_number": f"P{i:08d}", "phone": f"+66 8{i:08d}",
                    "languages": [], "registered_by_organization_id": ngo_id,
                    "created_at": at, "updated_at": at})
                cases.append({"id": i, "reference": f"PSG-2025-{i:06d}", "person_id": i,
                              "organization_id": ngo_id, "status": "open", "created_at": at,
                              "updated_at": at})
                referrals.append({
                    "id": i, "case_id": i, "organization_id": ngo_id,
                    "service": SERVICES[i % len(SERVICES)],
                    "recipient": RECIPIENTS[i % len(RECIPIENTS)],
                    "consent_to_share": i % 4 != 0, "notes": "Needs a quiet room" * (i % 3),
                    "status": STATUSES[i % len(STATUSES)], "created_by_id": user_id,
                    "created_at": at, "updated_at": at})
            conn.execute(insert(Person.__table__), people)
            conn.execute(insert(Case.__table__), cases)
            conn.execute(insert(Referral.__table__), referrals)
    engine.dispose()


# --- one measurement in a fresh process -----------------------------------------------

def _memory_kb(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of this process. ru_maxrss is no use in a child: Linux
    carries the parent's high-water mark across exec."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure_in_process(url: str, fmt: str) -> dict:
    """Run in a child process: the export service end to end, into a byte counter."""
    os.environ["PASSAGE_DATABASE_URL"] = url
    from sqlmodel import select

    from app.audit.models import AuditEvent
    from app.audit.service import Actor
    from app.auth.models import User
    from app.db import make_engine, session_factory_for
    from app.referrals.schemas import ReferralFilters
    from app.reports import service
    from app.reports.schemas import ExportFormat

    engine = make_engine(url)
    with session_factory_for(engine)() as session:
        user = session.exec(select(User).where(User.username == COORDINATOR)).one()
        actor = Actor.of(user, "bench")
        session.commit()  # as the app does: the user is resolved in a unit of work of its own
        baseline = _memory_kb("VmRSS")
        started = time.perf_counter()
        export = service.export_referrals(session, actor=actor, filters=ReferralFilters(),
                                          fmt=ExportFormat(fmt))
        size = 0
        for chunk in export.body:
            size += len(chunk)
        seconds = time.perf_counter() - started
        peak = _memory_kb("VmHWM")
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "export.referrals")
                             .order_by(AuditEvent.id.desc())).first()
        rows = event.detail["rows"]
        session.rollback()
    return {"rows": rows, "seconds": seconds, "bytes": size,
            "baseline_mb": baseline / 1024, "peak_mb": peak / 1024}


def run_child(url: str, fmt: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--measure", fmt, "--db", url],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- over HTTP ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure_http(url: str, formats: list[str]) -> dict[str, dict]:
    import httpx

    passage = shutil.which("passage") or str(Path(sys.executable).with_name("passage"))
    port = _free_port()
    env = {**os.environ, "PASSAGE_DATABASE_URL": url}
    server = subprocess.Popen([passage, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("passage serve did not start")
            time.sleep(0.2)
        token = httpx.post(base + "/api/v1/auth/token",
                           data={"username": COORDINATOR, "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        for fmt in formats:
            before = _kb(server.pid, "VmRSS")
            started = time.perf_counter()
            size = 0
            with httpx.stream("GET", f"{base}/api/v1/reports/referrals?format={fmt}",
                              headers=headers, timeout=600) as response:
                response.raise_for_status()
                for chunk in response.iter_bytes():
                    size += len(chunk)
            seconds = time.perf_counter() - started
            results[fmt] = {"seconds": seconds, "bytes": size, "rss_before_mb": before / 1024,
                            "peak_mb": _kb(server.pid, "VmHWM") / 1024}
    finally:
        server.terminate()
        server.wait(timeout=20)
    return results


# --- main ---------------------------------------------------------------------------------

def report(label: str, rows: int, url: str, http: bool) -> None:
    print(f"\n{label}: {rows:,} referrals")
    print(f"  {'format':<6} {'where':<11} {'rows':>8} {'seconds':>8} {'rows/s':>9} "
          f"{'MB out':>7} {'RSS before':>11} {'peak RSS':>9}")
    for fmt in ("csv", "xlsx"):
        r = run_child(url, fmt)
        assert r["rows"] == rows, r
        print(f"  {fmt:<6} {'in process':<11} {r['rows']:>8,} {r['seconds']:>8.2f} "
              f"{r['rows'] / r['seconds']:>9,.0f} {r['bytes'] / 1e6:>7.1f} "
              f"{r['baseline_mb']:>8.0f} MB {r['peak_mb']:>6.0f} MB")
    if http:
        for fmt, r in measure_http(url, ["csv", "xlsx"]).items():
            print(f"  {fmt:<6} {'HTTP':<11} {rows:>8,} {r['seconds']:>8.2f} "
                  f"{rows / r['seconds']:>9,.0f} {r['bytes'] / 1e6:>7.1f} "
                  f"{r['rss_before_mb']:>8.0f} MB {r['peak_mb']:>6.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", help="a PostgreSQL server URL, to bench there too")
    parser.add_argument("--no-http", action="store_true", help="skip the served runs")
    parser.add_argument("--measure", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_in_process(args.db, args.measure)))
        return
    print("Targets: peak under 150 MB; CSV at least 20,000 rows/s. "
          "(Peak RSS includes Python, the app and its libraries: see 'RSS before'.)")
    for label, server in [("SQLite", None)] + ([("PostgreSQL", args.pg)] if args.pg else []):
        with tempfile.TemporaryDirectory() as workdir:
            url = create_database(server, Path(workdir))
            try:
                started = time.perf_counter()
                seed(url, args.rows)
                print(f"\n(seeded {args.rows:,} referrals in "
                      f"{time.perf_counter() - started:.1f} s)")
                report(label, args.rows, url, not args.no_http)
            finally:
                drop_database(url, server)


if __name__ == "__main__":
    main()
