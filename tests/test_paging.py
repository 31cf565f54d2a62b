"""Lists at national scale (issue 18): counted up to 10,001 rows (more than 10,000, said so)
and paged no deeper than 10,000 rows; filters, not paging, reach further. An exact count of
millions of crossings or audit events read every one of them, and a page far down a list read
every row before it."""

from sqlalchemy import text

from app.pagination import COUNT_LIMIT, MAX_OFFSET
from tests.pages import sign_in

MANY = COUNT_LIMIT + 50


def _many_events(session) -> None:
    session.execute(text("""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :many)
        INSERT INTO audit_events (at, actor_username, role, action, entity_type, entity_id,
                                  outcome, detail)
        SELECT CURRENT_TIMESTAMP, 'someone', 'caseworker', 'person.read', 'person',
               CAST(i AS VARCHAR(16)), 'success', '{}'
        FROM n
    """), {"many": MANY})
    session.commit()


def test_a_long_list_says_more_than_ten_thousand_and_pages_as_deep(client, session,
                                                                    login_as):
    admin = login_as("admin", organization="Tak Coordination Office", global_admin=True)
    _many_events(session)
    first = client.get("/api/v1/audit", headers=admin.headers).json()
    assert first["total"] == COUNT_LIMIT + 1 and first["total_exact"] is False
    deepest = client.get("/api/v1/audit", headers=admin.headers,
                         params={"offset": MAX_OFFSET, "limit": 10}).json()
    assert len(deepest["items"]) == 10
    further = client.get("/api/v1/audit", headers=admin.headers,
                         params={"offset": MAX_OFFSET + 1})
    assert further.status_code == 422 and "offset" in further.text
    narrowed = client.get("/api/v1/audit", headers=admin.headers,
                          params={"entity_id": "17"}).json()
    assert narrowed["total"] == 1 and narrowed["total_exact"] is True

    sign_in(client, admin.user.username, admin.password)
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert "more than 10,000 events" in page.text
    last = client.get("/admin/audit", params={"offset": MAX_OFFSET - 50})
    assert last.status_code == 200 and "offset=10000" in last.text  # the deepest page next
    assert client.get("/admin/audit", params={"offset": MAX_OFFSET + 50}).status_code == 422
