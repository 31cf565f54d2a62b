"""Queries that stay fast at national scale (issue 18 part 3), on PostgreSQL: every SELECT a
filtered or paged request runs is explained, and none may read people, crossings, cases or
audit events by a sequential scan (a table of a million people read row by row for one page).

The plans are honest because the tables hold enough rows for the planner to prefer an index
where one serves (100,000 people, 60,000 crossings, 8,000 cases, 40,000 audit events, added
by generate_series in the test's rolled-back transaction, with ANALYZE's statistics of them;
enable_seqscan is left on, no statistic is faked): on a handful of rows every plan is a
sequential scan (below about 50,000 people reading them all is cheaper than the trigram
index), and on a million this test would take minutes. Searches look for what few rows hold,
as a search by a person's name or document does; a filter that keeps most of a table is
rightly read in full. Skipped on SQLite, which keeps its simple paths."""

import hashlib

import pytest
from sqlalchemy import event, text

from tests.conftest import SERVER_URL

pytestmark = pytest.mark.skipif(not SERVER_URL, reason="the plans are PostgreSQL's")

BIG_TABLES = {"people", "crossings", "cases", "audit_events"}
PEOPLE, CROSSINGS, CASES, EVENTS = 100_000, 60_000, 8_000, 40_000
FROM, TO = "2025-04-01", "2025-06-30"


def _fill(session, own_org: int, other_org: int, actor_id: int, actor_name: str,
          admin_org: int) -> None:
    """People, crossings, cases and audit events, a tenth of them the caseworker's
    organisation's (one of many), with the shapes of real ones (a common name and a rarer
    one, document numbers, crossings over a year, cases in each status, events of several
    actions)."""
    session.execute(text("""
        INSERT INTO people (created_at, updated_at, given_name, family_name, name_key, sex,
                            languages, registered_by_organization_id, document_number,
                            nationality_code)
        SELECT now(), now(), g, f, lower(g || ' ' || f), 'male', '[]',
               CASE WHEN i % 10 = 0 THEN :own ELSE :other END, 'DOC' || lpad(i::text, 7, '0'),
               (ARRAY['MM','TH','CN','VN','KH'])[1 + i % 5]
        FROM (SELECT i, (ARRAY['Aung','Min','Kyaw','Somchai','Wei','Linh','Dara'])[1 + i % 7]
                         || ' ' || substr(md5(i::text), 1, 8) AS g,
                     (ARRAY['Htun','Win','Zaw','Chen','Nguyen','Sok'])[1 + (i / 7) % 6] AS f
              FROM generate_series(1, :n) AS i) AS names
    """), {"own": own_org, "other": other_org, "n": PEOPLE})
    first = session.execute(text("SELECT min(id) FROM people WHERE document_number LIKE 'DOC%'")
                            ).scalar()
    session.execute(text("""
        INSERT INTO crossings (created_at, updated_at, person_id, crossed_at, crossing_point,
                               recorded_by_organization_id, direction, from_departure_list)
        SELECT now(), now(), :first + (i * 7919) % :people,
               timestamptz '2025-01-01' + (i * interval '9 minutes'),
               (ARRAY['Mae Sot Friendship Bridge 1','Tha Sai Luat, Mae Sot'])[1 + i % 2],
               CASE WHEN i % 10 = 0 THEN :own ELSE :other END,
               CASE WHEN i % 5 = 0 THEN 'exit' ELSE 'entry' END, false
        FROM generate_series(1, :n) AS i
    """), {"first": first, "people": PEOPLE, "own": own_org, "other": other_org,
           "n": CROSSINGS})
    session.execute(text("""
        INSERT INTO cases (created_at, updated_at, reference, person_id, organization_id,
                           status, consent_to_share, next_step, waiting_on, follow_up_due_on)
        SELECT now(), now(), 'PSG-2025-9' || lpad(i::text, 6, '0'), :first + i,
               CASE WHEN i % 10 = 0 THEN :own ELSE :other END,
               (ARRAY['open','determined','closed'])[1 + i % 3], false, step,
               CASE WHEN step IN ('interview', 'decide', 'referral')
                    THEN date '2025-01-01' + i % 300 END,
               CASE WHEN step IN ('referral', 'none') AND i % 7 = 0
                    THEN date '2025-01-01' + i % 500 END
        FROM (SELECT i, (ARRAY['interview','decide','referral','none','closed'])[1 + i / 3 % 5]
                        AS step
              FROM generate_series(1, :n) AS i) AS numbered
    """), {"first": first, "own": own_org, "other": other_org, "n": CASES})
    session.execute(text("""
        INSERT INTO audit_events (at, actor_id, actor_username, role, organization_id, action,
                                  entity_type, entity_id, outcome, detail)
        SELECT timestamptz '2025-01-01' + (i * interval '13 minutes'),
               CASE WHEN i % 50 = 0 THEN :actor ELSE NULL END,
               CASE WHEN i % 50 = 0 THEN :actor_name ELSE 'someone' || (i % 300) END,
               'caseworker', CASE WHEN i % 2 = 0 THEN :admin_org ELSE :other END,
               (ARRAY['case.read','person.search','case.list','crossing.create'])[1 + i % 4],
               'case', (i % 5000)::text, 'success', '{}'
        FROM generate_series(1, :n) AS i
    """), {"actor": actor_id, "actor_name": actor_name, "admin_org": admin_org,
           "other": other_org, "n": EVENTS})
    for table in BIG_TABLES:
        session.execute(text(f"ANALYZE {table}"))


@pytest.fixture
def filled(session, login_as):
    from tests import factories

    caseworker = login_as("caseworker", organization=factories.unique("Planned NGO "))
    admin = login_as("admin", organization=factories.unique("Admin Org "))
    coordinator = login_as("coordinator")
    other = factories.make_organization(session, name=factories.unique("Other NGO "))
    # half the events are of the admin's organisation (theirs to read)
    _fill(session, caseworker.user.organization_id, other.id, caseworker.user.id,
          caseworker.user.username, admin.user.organization_id)
    session.commit()
    return {"caseworker": caseworker, "coordinator": coordinator, "admin": admin}


def _sequential_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in BIG_TABLES:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", ()):
        found += _sequential_scans(child)
    return found


def _rare(i: int) -> str:
    """The rarer part of the given name of the i-th person made by _fill."""
    return hashlib.md5(str(i).encode()).hexdigest()[:8]  # noqa: S324 (not a secret)


# the name searches look for a name few people have: a common one ("Aung") alone matches a
# seventh of the people here, and reading them all is then the better plan
REQUESTS = [
    ("caseworker", f"/people?name=aung+{_rare(700)}"),
    ("caseworker", f"/people?name={_rare(1234)}"),
    ("coordinator", f"/people?name={_rare(4321)}+htun"),
    ("coordinator", f"/people?name={_rare(4321)}"),
    ("caseworker", "/people?document=DOC0001234"),
    ("coordinator", "/people?document=doc0004321"),
    ("caseworker", "/api/v1/cases"),
    ("caseworker", "/api/v1/cases?status=open"),
    ("caseworker", "/api/v1/cases?offset=500"),
    # the work queue: longest waiting first, by next step, and a page further
    ("caseworker", "/cases"),
    ("caseworker", "/cases?next_step=interview"),
    ("caseworker", "/cases?next_step=follow_up"),
    ("caseworker", "/cases?next_step=decide&sort=-waiting&offset=50"),
    ("caseworker", "/"),
    ("caseworker", "/follow-ups"),
    ("coordinator", "/api/v1/cases?status=closed&offset=1000"),
    ("admin", "/api/v1/audit?actor={caseworker}&from=" + FROM + "&to=" + TO),
    ("admin", "/api/v1/audit?action=case.read&from=" + FROM + "&to=" + TO),
]


def test_filtered_and_paged_queries_read_no_big_table_row_by_row(client, engine, connection,
                                                                   filled):
    statements: list[tuple[str, dict]] = []

    def record(_conn, _cursor, statement, parameters, _context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    scans = {}
    for role, path in REQUESTS:
        url = path.format(caseworker=filled["caseworker"].user.username)
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.get(url, headers=filled[role].headers)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200, (url, response.text[:300])
        for statement, parameters in statements:
            plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement,
                                              parameters).scalar()[0]["Plan"]
            if found := _sequential_scans(plan):
                scans.setdefault(f"{role} {url}", []).append(
                    (found, " ".join(statement.split())[:160]))
    assert not scans, "\n".join(f"{request}: {found}" for request, found in scans.items())
