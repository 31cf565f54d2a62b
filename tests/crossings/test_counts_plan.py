"""The nationality counts plan well at scale (issue 18): on PostgreSQL, with some 60,000
crossings and ANALYZE, the people who crossed in a range are read through an index of
crossings, never by a sequential scan of the table."""

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from app.crossings.filters import CrossingFilters
from app.crossings.stats import nationality_counts_statement


@pytest.fixture
def crossings_at_scale(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("plans are PostgreSQL's")
    org = session.execute(text(
        "INSERT INTO organizations (name, kind, created_at, updated_at) "
        "VALUES ('Plan NGO', 'ngo', now(), now()) RETURNING id")).scalar_one()
    session.execute(text("""
        INSERT INTO people (given_name, family_name, name_key, sex, nationality_code,
                            languages, registered_by_organization_id, created_at, updated_at)
        SELECT 'Given ' || g, '', 'given ' || g, 'male',
               (ARRAY['MM','PH','IN','VN'])[1 + g % 4], '[]', :org, now(), now()
        FROM generate_series(1, 30000) AS g"""), {"org": org})
    session.execute(text("""
        INSERT INTO crossings (person_id, crossed_at, crossing_point, direction,
                               recorded_by_organization_id, created_at, updated_at)
        SELECT p.id, timestamptz '2024-01-01 00:00+00' + (p.id % 730 + k * 97) % 730
                     * interval '1 day', 'Point ' || k, 'entry', :org, now(), now()
        FROM people p CROSS JOIN generate_series(1, 2) AS k
        WHERE p.registered_by_organization_id = :org"""), {"org": org})
    session.execute(text("ANALYZE people"))
    session.execute(text("ANALYZE crossings"))
    return session


@pytest.mark.parametrize("date_from, date_to", [
    (date(2025, 4, 1), date(2025, 6, 30)),  # three months
    (date(2025, 1, 1), date(2025, 6, 30)),  # six months
])
def test_nationality_counts_read_crossings_through_an_index(crossings_at_scale, date_from,
                                                            date_to):
    statement = nationality_counts_statement(CrossingFilters(date_from=date_from,
                                                             date_to=date_to))
    sql = str(statement.compile(dialect=postgresql.dialect(),
                                compile_kwargs={"literal_binds": True}))
    plan = "\n".join(crossings_at_scale.execute(text("EXPLAIN " + sql)).scalars())
    assert "Seq Scan on crossings" not in plan, plan
    assert "on crossings" in plan and "Index" in plan, plan
