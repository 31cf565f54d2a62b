"""The pipeline on the demo data equals counts made straight in SQL (run on SQLite, and on
PostgreSQL with PASSAGE_TEST_DATABASE_URL); the demo has cases at every stage."""

from datetime import date

import pytest
from sqlalchemy import bindparam, text
from sqlmodel import Session, select

from app.audit.service import Actor
from app.auth.models import User
from app.cases.models import Case, FollowUp
from app.clock import local_day_end, local_day_start, local_today
from app.crossings.models import Crossing
from app.db import make_engine
from app.people.models import Person, PersonMerge
from app.reports.pipeline import COLUMNS, PipelineFilters, pipeline

# An independent reading of the stages: joins and GROUP BY instead of the app's correlated
# subqueries. Per person who crossed in the range and is not a merged record: the latest
# case (highest id), the latest case with a screening and its current screening (latest
# interview, newest rules version), the latest determination (highest id).
STAGES_SQL = """
WITH crossed AS (
    SELECT DISTINCT p.id, p.nationality_code
    FROM people p JOIN crossings x ON x.person_id = p.id
    WHERE p.merged_into_id IS NULL AND x.crossed_at >= :start AND x.crossed_at < :end
      AND x.direction = 'entry'
),
repatriating AS (
    SELECT DISTINCT c.person_id FROM repatriations r JOIN cases c ON c.id = r.case_id
    WHERE r.stage <> 'cancelled'
),
departed AS (
    SELECT DISTINCT c.person_id FROM repatriations r JOIN cases c ON c.id = r.case_id
    WHERE r.stage IN ('departed', 'received')
),
last_case AS (SELECT person_id, MAX(id) AS case_id FROM cases GROUP BY person_id),
interviewed AS (
    SELECT DISTINCT c.person_id FROM interviews i JOIN cases c ON c.id = i.case_id
),
screened_case AS (
    SELECT c.person_id, MAX(s.case_id) AS case_id
    FROM screenings s JOIN cases c ON c.id = s.case_id GROUP BY c.person_id
),
last_interview AS (SELECT case_id, MAX(interview_id) AS interview_id FROM screenings
                   GROUP BY case_id),
current_screening AS (
    SELECT s.case_id, s.classification FROM screenings s
    JOIN last_interview li ON li.case_id = s.case_id AND li.interview_id = s.interview_id
    WHERE s.rules_version = (SELECT MAX(s2.rules_version) FROM screenings s2
                             WHERE s2.interview_id = s.interview_id)
),
last_determination AS (
    SELECT c.person_id, MAX(d.id) AS id FROM determinations d JOIN cases c ON c.id = d.case_id
    GROUP BY c.person_id
),
referred AS (SELECT DISTINCT c.person_id FROM referrals r JOIN cases c ON c.id = r.case_id)
SELECT cr.nationality_code AS nationality, cr.id AS person_id,
       lc.case_id AS last_case, lcase.closure_reason AS closure,
       CASE WHEN iv.person_id IS NULL THEN 0 ELSE 1 END AS interviewed,
       cs.classification AS suggestion, d.outcome AS outcome,
       CASE WHEN rf.person_id IS NULL THEN 0 ELSE 1 END AS referred,
       CASE WHEN rp.person_id IS NULL THEN 0 ELSE 1 END AS repatriating,
       CASE WHEN dp.person_id IS NULL THEN 0 ELSE 1 END AS departed
FROM crossed cr
LEFT JOIN last_case lc ON lc.person_id = cr.id
LEFT JOIN cases lcase ON lcase.id = lc.case_id
LEFT JOIN interviewed iv ON iv.person_id = cr.id
LEFT JOIN screened_case sc ON sc.person_id = cr.id
LEFT JOIN current_screening cs ON cs.case_id = sc.case_id
LEFT JOIN last_determination ld ON ld.person_id = cr.id
LEFT JOIN determinations d ON d.id = ld.id
LEFT JOIN referred rf ON rf.person_id = cr.id
LEFT JOIN repatriating rp ON rp.person_id = cr.id
LEFT JOIN departed dp ON dp.person_id = cr.id
"""


@pytest.fixture(scope="module")
def demo(demo_database):
    """The run's demo database (tests/conftest.py), read by other tests too: the pipeline's
    audit event is rolled back."""
    assert demo_database.first_load.returncode == 0, demo_database.first_load.stderr
    engine = make_engine(demo_database.url)
    yield engine
    engine.dispose()


def _sql_counts(session: Session, start: date, end: date) -> dict[str | None, dict[str, int]]:
    moment = Crossing.__table__.c.crossed_at.type
    statement = text(STAGES_SQL).bindparams(bindparam("start", type_=moment),
                                            bindparam("end", type_=moment))
    rows = session.execute(statement, {"start": local_day_start(start),
                                       "end": local_day_end(end)}).mappings().all()
    counts: dict[str | None, dict[str, int]] = {}
    for r in rows:
        c = counts.setdefault(r["nationality"], {col.key: 0 for col in COLUMNS})
        stages = {"crossed": True, "case": r["last_case"] is not None,
                  "interview": bool(r["interviewed"]), "determined": r["outcome"] is not None,
                  "referral": bool(r["referred"]), "closed": r["closure"] is not None,
                  "repatriation_started": bool(r["repatriating"]),
                  "departed": bool(r["departed"]),
                  f"suggestion_{r['suggestion']}": r["suggestion"] is not None,
                  f"determination_{r['outcome']}": r["outcome"] is not None,
                  f"closed_{r['closure']}": r["closure"] is not None}
        for key, reached in stages.items():
            if reached and key in c:
                c[key] += 1
    return counts


@pytest.mark.parametrize(("start", "end"), [(date(2025, 10, 1), date(2025, 12, 31)),
                                            (date(2025, 10, 20), date(2025, 10, 24))])
def test_pipeline_equals_straight_sql_on_the_demo_data(demo, start, end):
    with Session(demo) as session:
        coordinator = session.exec(select(User).where(User.username == "coordinator")).one()
        result = pipeline(session, actor=Actor.of(coordinator),
                          filters=PipelineFilters(date_from=start, date_to=end), threshold=5)
        expected = _sql_counts(session, start, end)
        session.rollback()
    assert result.exact
    assert {r.code: r.counts for r in result.rows} == expected
    overall = {col.key: sum(c[col.key] for c in expected.values()) for col in COLUMNS}
    assert result.overall == overall
    if start.day == 1:
        # people at every stage, closed for every reason, on their way home and gone
        assert {c.key for c in COLUMNS if overall[c.key] == 0} == set()


def test_the_demo_has_every_stage_follow_ups_due_and_overdue_and_two_merges(demo):
    with Session(demo) as session:
        statuses = set(session.exec(select(Case.status)).all())
        assert statuses == {"open", "determined", "closed"}
        reasons = set(session.exec(select(Case.closure_reason)
                                   .where(Case.closure_reason.isnot(None))).all())
        assert len(reasons) == 8
        today = local_today()
        waiting = session.exec(select(FollowUp).where(FollowUp.done.is_(False))).all()
        assert any(f.due_on < today for f in waiting) and any(f.due_on >= today for f in waiting)
        merges = session.exec(select(PersonMerge)).all()
        assert len(merges) == 2 and all(m.undone_at is None for m in merges)
        for m in merges:
            assert session.get(Person, m.duplicate_id).merged_into_id == m.survivor_id
            assert session.exec(select(Crossing).where(Crossing.person_id == m.duplicate_id)
                                ).all() == []
            assert session.exec(select(Case).where(Case.person_id == m.duplicate_id)).all() == []


def test_a_month_of_the_demo_reads_its_crossings_and_stages_for_every_role(demo):
    # the demo's crossings are recorded as they happened: a month that has ended shows a
    # caseworker the crossings a coordinator reads, and its stages as they stood then
    with Session(demo) as session:
        users = {u.username: u for u in session.exec(select(User)).all()}
        october = PipelineFilters(date_from=date(2025, 10, 1), date_to=date(2025, 10, 31))
        exact = pipeline(session, actor=Actor.of(users["coordinator"]), filters=october,
                         threshold=5)
        ruled = pipeline(session, actor=Actor.of(users["caseworker"]), filters=october,
                         threshold=5)
        session.rollback()
    assert not ruled.exact and ruled.months is None
    assert ruled.overall["crossed"] == exact.overall["crossed"] > 0
    assert isinstance(ruled.overall["case"], int) and ruled.overall["case"] >= 5
