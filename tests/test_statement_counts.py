"""No N+1 queries (issue 18): each list and detail endpoint runs a fixed number of SQL
statements, whatever the page size. The statements of one request are counted on the
database connection; the bound does not grow with the rows (the same request over 3 and
over 25 records runs the same number), and no request runs more than its bound."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests import factories

# the most statements each request may run: the user's lookup, the route's reads, its
# audit event (a bound, not a goal: lower it when a request gets cheaper)
BOUNDS = {
    "/api/v1/cases": 5,
    "/api/v1/cases/{case}": 11,
    "/api/v1/people": 4,
    "/api/v1/people/{person}": 4,
    "/api/v1/referrals": 5,
    "/cases": 4,
    "/people": 5,
    "/referrals": 6,
}


@contextmanager
def counted(engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _many):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _records(session, caseworker, how_many: int):
    org = caseworker.user_organization
    first = None
    for n in range(how_many):
        person = factories.make_person(session, organization=org)
        factories.make_crossing(session, person=person, organization=org)
        case = factories.make_case(session, person=person, organization=org,
                                   assigned_to=caseworker.user)
        screening = factories.make_screening(session, case=case, created_by=caseworker.user)
        factories.make_determination(session, case=case, outcome="victim",
                                     decided_by=caseworker.user, screening=screening)
        factories.make_referral(session, case=case, created_by=caseworker.user)
        first = first or (case, person)
        if n % 2:  # a second interview on every other case
            factories.make_screening(session, case=case, created_by=caseworker.user,
                                     rules_version=1)
    session.commit()
    return first


@pytest.fixture
def signed_in(session, login_as):
    from app.auth.models import Organization

    caseworker = login_as("caseworker", organization=factories.unique("Counted NGO "))
    caseworker.user_organization = session.get(Organization, caseworker.user.organization_id)
    return caseworker


def _counts(client, engine, headers, case, person) -> dict[str, int]:
    found = {}
    for path in BOUNDS:
        url = path.format(case=case.id, person=person.id)
        params = {"limit": 100} if path.startswith("/api/") and "{" not in path else {}
        # once before counting: reference data (the nationalities) is read once a process
        client.get(url, headers=headers, params=params)
        with counted(engine) as statements:
            response = client.get(url, headers=headers, params=params)
        assert response.status_code == 200, (url, response.text)
        found[path] = len(statements)
    return found


def test_every_list_and_detail_runs_a_bounded_number_of_statements(client, engine, session,
                                                                   signed_in):
    case, person = _records(session, signed_in, 3)
    few = _counts(client, engine, signed_in.headers, case, person)
    _records(session, signed_in, 22)
    many = _counts(client, engine, signed_in.headers, case, person)
    assert many == few, "a request runs more statements over more records (N+1)"
    over = {path: n for path, n in many.items() if n > BOUNDS[path]}
    assert not over, f"more statements than the bound: {over}"
