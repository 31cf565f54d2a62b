"""Benchmark (not a test) of the months a role without exact counts reads: a border official's
24-month statistics export (CSV) and outcome counts, and a caseworker's 24-month pipeline,
each asked twice: the first request publishes every month (suppression, up to about a
second of CPU a month) and stores it (app.reports.month_store), the second reads the stored months.

    python scripts/bench_publication.py [--cases-a-month 300] [--nationalities 30]
                                        [--pg postgresql://postgres@127.0.0.1:5432/postgres]

A scratch database (a SQLite file, or a PostgreSQL database on --pg's server) is migrated and
filled: for each of the 24 completed months before the current one, `cases-a-month` people of
`nationalities` nationalities (a few common, many rare), each crossing in the month with a
case registered then, most interviewed and screened, half determined, recorded when it
happened. The app runs in this process (FastAPI's TestClient, committing to the scratch
database); each request's wall time and this process's CPU time (user + sys) are printed.
The stored months are forgotten before each kind of answer, so that each first request
publishes every month itself (a Passage without app.reports.month_store publishes them on
every request). The machine is shared: say the load average beside the figures. The scratch
database is dropped at the end.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PASSAGE_SECRET_KEY", "bench-secret-" + "x" * 40)
os.environ.setdefault("PASSAGE_ARGON2_TIME_COST", "1")
os.environ.setdefault("PASSAGE_ARGON2_MEMORY_COST", "8192")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.scratch_database import create_database, drop_database  # noqa: E402

NATIONALITIES = ["IN", "PH", "CN", "MM", "VN", "LA", "KH", "ID", "BD", "NP", "LK", "PK", "KE",
                 "UG", "ET", "NG", "GH", "TH", "MY", "TW", "KR", "JP", "UZ", "KZ", "KG", "TJ",
                 "BR", "CO", "TR", "EG"]
CLASSIFICATIONS = ["trafficking_victim", "needs_assessment", "willing_worker"]
OUTCOMES = ["trafficking_victim", "willing_worker", "undetermined"]
SEXES = ["female", "male", "male", "other", "unknown"]
MONTHS = 24


def _months() -> list:
    from app.clock import local_today
    from app.reports.disclosure import Month

    month = Month.of(local_today())
    months = []
    for _ in range(MONTHS):
        month = Month.of(month.first - timedelta(days=1))
        months.append(month)
    return months[::-1]


def seed(engine, cases_a_month: int, nationalities: int) -> tuple[str, str]:
    """The months' records; the tokens of a border official and a caseworker."""
    from sqlmodel import Session, select

    from app.auth import service as auth_service
    from app.cases.models import Case, Determination, Interview, Screening
    from app.clock import LOCAL_TZ
    from app.crossings.models import Crossing
    from app.nationalities.models import Nationality
    from app.people.models import Person
    from tests import factories

    rng = random.Random(9)
    with Session(engine) as session:
        org = factories.make_organization(session, name="Bench NGO")
        worker, _ = factories.make_user(session, role="caseworker", organization=org)
        border, _ = factories.make_user(session, role="border_official",
                                        organization=factories.make_organization(
                                            session, name="Bench Border Post"))
        known = session.exec(select(Nationality.code).order_by(Nationality.code)).all()
        codes = (NATIONALITIES + [c for c in known if c not in NATIONALITIES])[:nationalities]
        weights = [1 / (k + 1) for k in range(len(codes))]
        n = 0
        for month in _months():
            days = (month.last - month.first).days + 1
            for _ in range(cases_a_month):
                n += 1
                day = month.first + timedelta(days=rng.randrange(days))
                at = datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ).replace(
                    hour=9).astimezone(UTC)
                person = Person(given_name=f"Given {n}", family_name="Family",
                                name_key=f"given {n} family",
                                sex=rng.choice(SEXES),
                                nationality_code=rng.choices(codes, weights)[0],
                                languages=[], registered_by_organization_id=org.id,
                                created_at=at, updated_at=at)
                session.add(person)
                session.flush()
                session.add(Crossing(person_id=person.id, crossed_at=at, created_at=at,
                                     updated_at=at, crossing_point="Mae Sot Bridge 2",
                                     recorded_by_organization_id=org.id))
                case = Case(reference=f"BENCH-{n:07d}", person_id=person.id,
                            organization_id=org.id, created_at=at, updated_at=at)
                session.add(case)
                session.flush()
                if rng.random() < 0.8:
                    later = at + timedelta(hours=3)
                    interview = Interview(case_id=case.id, conducted_at=later,
                                          consent_given=True, created_at=later)
                    session.add(interview)
                    session.flush()
                    screening = Screening(interview_id=interview.id, case_id=case.id,
                                          classification=rng.choice(CLASSIFICATIONS),
                                          rules_version=1, age_group="adult", result={},
                                          created_at=later)
                    session.add(screening)
                    session.flush()
                    if rng.random() < 0.6:
                        session.add(Determination(case_id=case.id, screening_id=screening.id,
                                                  outcome=rng.choice(OUTCOMES),
                                                  decided_by_id=worker.id, decided_at=later))
            session.commit()
        tokens = tuple(auth_service.issue_token(session, user=user, client="bench")[0]
                       for user in (border, worker))
        session.commit()
    return tokens  # type: ignore[return-value]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(url: str, cases_a_month: int, nationalities: int) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import delete
    from sqlmodel import Session

    from app.config import get_settings
    from app.db import make_engine
    from app.main import create_app

    try:
        from app.reports.models import PublishedMonth
    except ImportError:  # a Passage that publishes every month anew on every request
        PublishedMonth = None  # noqa: N806

    os.environ["PASSAGE_DATABASE_URL"] = url
    get_settings.cache_clear()
    engine = make_engine(url)
    started = time.perf_counter()
    border, worker = seed(engine, cases_a_month, nationalities)
    print(f"seeded {MONTHS} months x {cases_a_month} cases of {nationalities} nationalities in "
          f"{time.perf_counter() - started:.1f} s")
    months = _months()
    params = {"from": months[0].first.isoformat(), "to": months[-1].last.isoformat()}
    asks = [("statistics export (CSV), border official", "/api/v1/reports/statistics", border),
            ("outcome counts, border official", "/api/v1/stats/outcomes", border),
            ("pipeline, caseworker", "/api/v1/stats/pipeline", worker)]
    with TestClient(create_app(get_settings())) as client:
        for label, path, token in asks:
            if PublishedMonth is not None:
                with Session(engine) as session:
                    session.exec(delete(PublishedMonth))  # type: ignore[call-overload]
                    session.commit()
            for attempt in ("first", "second"):
                cpu, wall = _cpu(), time.perf_counter()
                response = client.get(path, params=params,
                                      headers={"Authorization": f"Bearer {token}"})
                wall, cpu = time.perf_counter() - wall, _cpu() - cpu
                assert response.status_code == 200, response.text[:300]
                print(f"{label:45} {attempt:6} {wall:6.2f} s wall {cpu:6.2f} s CPU "
                      f"({len(response.content):,} bytes)")
    engine.dispose()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases-a-month", type=int, default=300)
    parser.add_argument("--nationalities", type=int, default=30,
                        help="how many nationalities the people have (most of the first few)")
    parser.add_argument("--pg", help="a PostgreSQL server URL (a scratch database is made)")
    args = parser.parse_args()
    if args.pg:
        url = create_database(args.pg)
        try:
            run(url, args.cases_a_month, args.nationalities)
        finally:
            drop_database(url, args.pg)
        return
    from app.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="passage-bench-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.db'}"
        upgrade(url)
        run(url, args.cases_a_month, args.nationalities)


if __name__ == "__main__":
    main()
