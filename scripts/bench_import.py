"""Benchmark (not a test) of roster import and nationality counts.

    python scripts/bench_import.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                   [--rows 20000] [--crossings 1000000] [--runs 25]

Prints:
- rows per second of `POST /api/v1/crossings/import` for a generated roster (CSV and XLSX,
  then the same roster again: everything matched and skipped), on SQLite and PostgreSQL,
  through the whole app in process (multipart upload, parsing, checking, matching, writing,
  commit);
- on PostgreSQL with 1,000,000 crossings (bulk-inserted with generate_series), the median
  time of `GET /api/v1/stats/nationalities` beside the median time of the same SQL run
  directly on a psycopg connection, and their ratio.

Every database is a scratch one, created here and dropped at the end.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PASSAGE_SECRET_KEY", "bench-secret-" + "x" * 40)
os.environ.setdefault("PASSAGE_ARGON2_TIME_COST", "1")
os.environ.setdefault("PASSAGE_ARGON2_MEMORY_COST", "8192")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from app.audit.service import Actor  # noqa: E402
from app.auth import service as auth_service  # noqa: E402
from app.compounds.models import Compound  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.crossings.filters import CrossingFilters  # noqa: E402
from app.crossings.stats import nationality_counts_statement  # noqa: E402
from app.db import make_engine, session_factory_for  # noqa: E402
from app.demo.names import NATIONALITY_MIX  # noqa: E402
from app.demo.roster import COMPOUNDS, CROSSING_POINTS, generate_roster  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from scripts.scratch_database import create_database, drop_database  # noqa: E402

PASSWORD = "bench password long enough"  # noqa: S105 (a scratch database)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Bench:
    """A migrated database with a border official, the roster's compounds, and the app."""

    def __init__(self, url: str):
        upgrade(url)
        self.engine = make_engine(url)
        factory = session_factory_for(self.engine)
        with factory() as session:
            org = auth_service.get_or_create_organization(session, name="Bench Post",
                                                          kind="border_post")
            self.user = auth_service.create_user(session, actor=Actor.system("bench"),
                                                 username="bench", password=PASSWORD,
                                                 role="border_official", organization=org)
            for data in COMPOUNDS:
                session.add(Compound(**data))
            session.commit()
        self.client = TestClient(create_app(get_settings(), session_factory=factory))
        token = self.client.post("/api/v1/auth/token",
                                 data={"username": "bench", "password": PASSWORD})
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

    def import_file(self, name: str, content: bytes, kind: str) -> tuple[float, dict]:
        start = time.perf_counter()
        response = self.client.post("/api/v1/crossings/import", headers=self.headers,
                                    files={"file": (name, content, kind)})
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"import failed: {response.status_code} {response.text[:500]}")
        return elapsed, response.json()

    def close(self) -> None:
        self.client.close()
        self.engine.dispose()


def roster_files(rows: int) -> dict[str, tuple[str, bytes, str]]:
    import io

    from app.demo.roster import write_csv, write_xlsx

    first = generate_roster(size=rows, seed=1)
    second = generate_roster(size=rows, seed=2)
    csv_out, xlsx_out = io.BytesIO(), io.BytesIO()
    write_csv(first, csv_out)
    write_xlsx(second, xlsx_out)
    return {"csv": ("roster.csv", csv_out.getvalue(), "text/csv"),
            "xlsx": ("roster.xlsx", xlsx_out.getvalue(), XLSX)}


def bench_import(label: str, url: str, files, rows: int) -> None:
    bench = Bench(url)
    try:
        for kind, (name, content, media) in files.items():
            seconds, report = bench.import_file(name, content, media)
            assert report["crossings_created"] == rows, report
            print(f"{label:<10} {kind:<5} first import  {rows:>6} rows  {seconds:6.2f} s  "
                  f"{rows / seconds:8,.0f} rows/s  ({len(content) / 1e6:.1f} MB)")
            seconds, report = bench.import_file(name, content, media)
            assert report["crossings_skipped"] == rows, report
            print(f"{label:<10} {kind:<5} re-import     {rows:>6} rows  {seconds:6.2f} s  "
                  f"{rows / seconds:8,.0f} rows/s  (all matched and skipped)")
    finally:
        bench.close()


def fill_crossings(bench: Bench, crossings: int) -> None:
    """People and crossings in bulk, in SQL: about 0.6 crossings-worth of people, so many
    people crossed more than once; nationalities in the KK Park mix."""
    people = int(crossings * 0.6)
    codes = [code for code, weight in NATIONALITY_MIX for _ in range(weight)]
    points = list(CROSSING_POINTS)
    org = bench.user.organization_id
    with bench.engine.begin() as conn:
        compound_ids = [row[0] for row in conn.execute(text("SELECT id FROM compounds"))]
        conn.execute(text("""
            INSERT INTO people (created_at, updated_at, given_name, family_name, name_key,
                                sex, nationality_code, languages,
                                registered_by_organization_id)
            SELECT now(), now(), 'Given' || g, 'Family', 'given' || g || ' family',
                   (ARRAY['female', 'male', 'male', 'unknown'])[1 + g % 4],
                   (CAST(:codes AS text[]))[1 + (g::bigint * 7919) % :ncodes], '[]', :org
            FROM generate_series(1, :people) AS g
        """), {"codes": codes, "ncodes": len(codes), "org": org, "people": people})
        first_id = conn.execute(text("SELECT min(id) FROM people")).scalar_one()
        conn.execute(text("""
            INSERT INTO crossings (created_at, updated_at, person_id, crossed_at,
                                   crossing_point, compound_id, recorded_by_organization_id)
            SELECT now(), now(), :first + (g % :people),
                   TIMESTAMPTZ '2025-10-21 00:00+00' + g * INTERVAL '1.2 second',
                   (CAST(:points AS text[]))[1 + g % :npoints],
                   (CAST(:compounds AS int[]))[1 + g % :ncompounds], :org
            FROM generate_series(1, :crossings) AS g
        """), {"first": first_id, "people": people, "points": points,
               "npoints": len(points), "compounds": compound_ids,
               "ncompounds": len(compound_ids), "org": org, "crossings": crossings})
    with bench.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE people"))
        conn.execute(text("VACUUM ANALYZE crossings"))


def median_ms(action, runs: int) -> float:
    action()  # warm the caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bench_stats(server_url: str, crossings: int, runs: int) -> None:
    url = create_database(server_url)
    try:
        bench = Bench(url)
        try:
            start = time.perf_counter()
            fill_crossings(bench, crossings)
            print(f"\nPostgreSQL: {crossings:,} crossings inserted with generate_series in "
                  f"{time.perf_counter() - start:.1f} s")
            cases = {
                "all crossings": ({}, CrossingFilters()),
                "a week, one point": (
                    {"from": "2025-10-22", "to": "2025-10-28",
                     "crossing_point": CROSSING_POINTS[0]},
                    CrossingFilters(from_date=_day("2025-10-22"), to_date=_day("2025-10-28"),
                                    crossing_point=CROSSING_POINTS[0])),
            }
            raw = bench.engine.raw_connection()
            try:
                for label, (params, filters) in cases.items():
                    for by_sex in (False, True):
                        query = {**params, **({"by_sex": "true"} if by_sex else {})}
                        body = bench.client.get("/api/v1/stats/nationalities",
                                                headers=bench.headers, params=query).json()
                        compiled = nationality_counts_statement(
                            filters, by_sex=by_sex).compile(dialect=postgresql.dialect(
                                paramstyle="pyformat"))
                        sql, values = str(compiled), compiled.params

                        def endpoint(query=query):
                            response = bench.client.get("/api/v1/stats/nationalities",
                                                        headers=bench.headers, params=query)
                            assert response.status_code == 200

                        def direct(sql=sql, values=values):
                            # as psql would run it: planned with its values every time
                            with raw.cursor() as cursor:
                                cursor.execute(sql, values, prepare=False)
                                cursor.fetchall()
                            raw.rollback()

                        api_ms = median_ms(endpoint, runs)
                        sql_ms = median_ms(direct, runs)
                        name = label + (", by sex" if by_sex else "")
                        print(f"  {name:<28} total {body['total']:>8,}  endpoint "
                              f"{api_ms:7.1f} ms  SQL {sql_ms:7.1f} ms  ratio "
                              f"{api_ms / sql_ms:4.2f}")
            finally:
                raw.close()
        finally:
            bench.close()
    finally:
        drop_database(url, server_url)


def _day(value: str):
    from datetime import date

    return date.fromisoformat(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default=os.environ.get(
        "PASSAGE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server URL (a scratch database is created on it)")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--crossings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--skip-stats", action="store_true")
    args = parser.parse_args()

    files = roster_files(args.rows)
    print(f"Roster import through POST /api/v1/crossings/import, {args.rows:,} rows\n")
    with tempfile.TemporaryDirectory() as tmp:
        bench_import("SQLite", f"sqlite:///{tmp}/bench.db", files, args.rows)
    url = create_database(args.pg)
    try:
        bench_import("PostgreSQL", url, files, args.rows)
    finally:
        drop_database(url, args.pg)
    if not args.skip_stats:
        bench_stats(args.pg, args.crossings, args.runs)


if __name__ == "__main__":
    main()
