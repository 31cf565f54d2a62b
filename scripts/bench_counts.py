"""Benchmark (not a test) of the nationality counts at national scale, on PostgreSQL: the query
forms side by side on the same data, and the plan each one gets.

    python scripts/bench_counts.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                   [--people 600000] [--crossings 1000000] [--runs 5]
                                   [--keep URL | --no-drop]

A scratch database is created and migrated (alembic upgrade head, so the indexes of the
migrations are there), then filled in SQL (generate_series): `people` people of ten
nationalities, `crossings` entry crossings over two years (and a tenth as many exits), ANALYZE.
For a six-month and a three-month range, each form of the count is run `runs` times (after
one warm-up) and its median and its plan's top nodes printed:

- app: the statement Passage runs (app.crossings.stats.nationality_counts_statement);
- in: people WHERE id IN (the range's crossings), the form of issue 18's first measurement;
- join_distinct: the crossings of the range joined to people, count(DISTINCT person);
- exists: people WHERE EXISTS (a crossing of the person in the range).

The machine is shared: the figures of one run are comparable with each other, not with
another run's. The scratch database is dropped at the end (unless --keep).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("PASSAGE_SECRET_KEY", "bench-secret-" + "x" * 40)
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.scratch_database import create_database, drop_database  # noqa: E402

NATIONALITIES = ["CN", "ID", "IN", "KE", "LK", "MM", "NP", "PH", "TH", "VN"]
RANGES = {"six months": (date(2025, 1, 1), date(2025, 6, 30)),
          "three months": (date(2025, 4, 1), date(2025, 6, 30))}




def seed(engine, people: int, crossings: int) -> None:
    from sqlalchemy import text

    codes = "ARRAY[" + ",".join(f"'{c}'" for c in NATIONALITIES) + "]"
    with engine.begin() as conn:
        org = conn.execute(text(
            "INSERT INTO organizations (name, kind, created_at, updated_at) "
            "VALUES ('Bench NGO', 'ngo', now(), now()) RETURNING id")).scalar_one()
        conn.execute(text(f"""
            INSERT INTO people (given_name, family_name, name_key, sex, nationality_code,
                                languages, registered_by_organization_id, created_at,
                                updated_at)
            SELECT 'Given ' || g, 'Family ' || (g % 5000), 'given ' || g || ' family',
                   CASE WHEN g % 3 = 0 THEN 'female' ELSE 'male' END,
                   ({codes})[1 + (hashint4(g) & 2147483647) % 10], '[]', :org, now(), now()
            FROM generate_series(1, :people) AS g"""), {"org": org, "people": people})
        low, high = conn.execute(text("SELECT min(id), max(id) FROM people")).one()
        # entries spread over 2024-2025; a person crosses once or more (the same person,
        # time and point is one crossing); then a tenth as many exits
        conn.execute(text("""
            INSERT INTO crossings (person_id, crossed_at, crossing_point, direction,
                                   recorded_by_organization_id, created_at, updated_at)
            SELECT :low + (hashint4(g * 7 + 1) & 2147483647) % (:high - :low + 1),
                   timestamptz '2024-01-01 00:00+00'
                     + ((hashint4(g) & 2147483647) % (730 * 24 * 60)) * interval '1 minute',
                   'Point ' || (g % 12), CASE WHEN g % 11 = 0 THEN 'exit' ELSE 'entry' END,
                   :org, now(), now()
            FROM generate_series(1, :crossings) AS g
            ON CONFLICT DO NOTHING"""),
                     {"low": low, "high": high, "crossings": crossings, "org": org})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE people"))
        conn.execute(text("VACUUM ANALYZE crossings"))


def forms(date_from: date, date_to: date) -> dict[str, str]:
    from sqlalchemy.dialects import postgresql

    from app.crossings.filters import CrossingFilters
    from app.crossings.stats import nationality_counts_statement
    from app.filters import _end, _start

    app_sql = str(nationality_counts_statement(
        CrossingFilters(date_from=date_from, date_to=date_to)).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    lo, hi = _start(date_from).isoformat(), _end(date_to).isoformat()
    in_range = (f"c.direction = 'entry' AND c.crossed_at >= '{lo}' "
                f"AND c.crossed_at < '{hi}'")
    return {
        "app": app_sql,
        "in": f"""SELECT p.nationality_code, n.name, count(p.id) AS count FROM people p
                  LEFT JOIN nationalities n ON n.code = p.nationality_code
                  WHERE p.id IN (SELECT c.person_id FROM crossings c WHERE {in_range})
                  GROUP BY p.nationality_code, n.name ORDER BY count DESC, n.name""",
        "join_distinct": f"""SELECT p.nationality_code, n.name,
                  count(DISTINCT p.id) AS count FROM crossings c
                  JOIN people p ON p.id = c.person_id
                  LEFT JOIN nationalities n ON n.code = p.nationality_code
                  WHERE {in_range}
                  GROUP BY p.nationality_code, n.name ORDER BY count DESC, n.name""",
        "exists": f"""SELECT p.nationality_code, n.name, count(p.id) AS count FROM people p
                  LEFT JOIN nationalities n ON n.code = p.nationality_code
                  WHERE EXISTS (SELECT 1 FROM crossings c WHERE c.person_id = p.id
                                AND {in_range})
                  GROUP BY p.nationality_code, n.name ORDER BY count DESC, n.name""",
    }


def measure(engine, sql: str, runs: int) -> tuple[float, list[str], list]:
    from sqlalchemy import text

    with engine.connect() as conn:
        rows = conn.execute(text(sql)).all()  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            conn.execute(text(sql)).all()
            times.append((time.perf_counter() - started) * 1000)
        plan = [line for (line,) in conn.execute(text("EXPLAIN " + sql))]
        conn.rollback()
    nodes = [line.strip().lstrip("-> ").split("  (")[0] for line in plan
             if "->" in line or line is plan[0]]
    return statistics.median(times), nodes, sorted(tuple(r) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--people", type=int, default=600_000)
    parser.add_argument("--crossings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", default=None,
                        help="use this already filled database and keep it")
    parser.add_argument("--no-drop", action="store_true",
                        help="keep the scratch database (its URL is printed)")
    args = parser.parse_args()

    from sqlalchemy import text

    from app.db import Timeouts, make_engine

    url = args.keep or create_database(args.pg)
    engine = make_engine(url, Timeouts(statement=0))  # loading takes minutes
    try:
        if not args.keep:
            started = time.perf_counter()
            seed(engine, args.people, args.crossings)
            print(f"loaded in {time.perf_counter() - started:.0f} s")
        with engine.connect() as conn:
            people = conn.execute(text("SELECT count(*) FROM people")).scalar_one()
            crossings = conn.execute(text("SELECT count(*) FROM crossings")).scalar_one()
        print(f"{people:,} people, {crossings:,} crossings")
        for label, (date_from, date_to) in RANGES.items():
            print(f"\n{label} ({date_from} to {date_to}), median of {args.runs} runs:")
            results = {}
            for name, sql in forms(date_from, date_to).items():
                ms, nodes, rows = measure(engine, sql, args.runs)
                results[name] = rows
                print(f"  {name:14} {ms:8.1f} ms   {' / '.join(nodes[:6])}")
            answers = {tuple(rows) for rows in results.values()}
            print("  every form gives the same counts" if len(answers) == 1
                  else "  THE FORMS DISAGREE")
    finally:
        engine.dispose()
        if args.no_drop and not args.keep:
            print(f"kept: --keep {url}")
        elif not args.keep:
            drop_database(url, args.pg)


if __name__ == "__main__":
    main()
