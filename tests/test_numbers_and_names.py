"""Issue 12 item 9, the leftovers: every count a page prints goes through the one `num` filter
(thousands separators), and people who did things are named by their full name (as
auth.service.display_names names them), in the repatriation pages and the audit log too."""

import re
from pathlib import Path

from tests import factories
from tests.pages import sign_in
from tests.repatriation.conftest import BATCH

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# an output that prints a count: a total, a count, a length, a batch's counts
COUNT_OUTPUT = re.compile(
    r"\{\{\s*\(?\s*([\w.\[\]\"']*(?:total|count|counts\.\w+|\|length|members|passed|"
    r"to_confirm|awaiting_letters)\)?)\s*\}\}")


def test_pages_write_numbers_only_through_the_num_filter():
    ad_hoc, raw = [], []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            where = f"{path.relative_to(TEMPLATES)}:{number}"
            if '"{:,}"' in line or "'{:,}'" in line:
                ad_hoc.append(where)
            raw += [f"{where} {m.group(0)}" for m in COUNT_OUTPUT.finditer(line)]
    assert ad_hoc == [], "format numbers with |num, not by hand"
    assert raw == [], "a count printed without |num"


def test_num_writes_separators_and_leaves_a_suppressed_cell_as_it_is():
    from app.web import templates

    rendered = templates().env.from_string(
        "{{ 12480|num }} {{ 1234567|num }} {{ '<5'|num }} {{ none|num }}|").render()
    assert rendered == "12,480 1,234,567 &lt;5 |"


def test_a_count_over_a_thousand_reads_with_a_separator(client, session):
    org = factories.make_organization(session)
    admin, password = factories.make_user(session, role="admin", organization=org,
                                          global_admin=True)
    for _ in range(1000):
        factories.make_organization(session)
    session.commit()
    sign_in(client, admin.username, password)
    page = client.get("/admin/organizations").text
    assert re.search(r"1,0\d\d organisations; showing 1–\d+", page), page[:2000]


def test_the_audit_log_names_who_acted_by_full_name(client, session):
    org = factories.make_organization(session)
    admin, password = factories.make_user(session, role="admin", organization=org,
                                          username="admin.siriporn")
    admin.full_name = "Siriporn Chaiyaporn"
    session.add(admin)
    session.commit()
    sign_in(client, admin.username, password)
    page = client.get("/admin/audit", params={"actor": "admin.siriporn"}).text
    assert ('<td dir="auto">Siriporn Chaiyaporn <span class="code">admin.siriporn</span> '
            f'<span class="code">#{admin.id}</span></td>') in page


def test_a_batch_page_names_who_made_and_changed_it(client, session, login_as):
    coordinator = login_as("coordinator", organization="Coordination Office")
    coordinator.user.full_name = "Kanya Srisuk"
    session.add(coordinator.user)
    session.commit()
    made = client.post("/api/v1/repatriation-batches", headers=coordinator.headers, json=BATCH)
    assert made.status_code == 201, made.text
    assert made.json()["created_by"] == "Kanya Srisuk"
    sign_in(client, coordinator.user.username, coordinator.password)
    page = client.get(f"/repatriation-batches/{made.json()['id']}").text
    assert re.search(r'<dd id="batch-made">[^<]+ by <span dir="auto">Kanya Srisuk</span>', page)
    assert coordinator.user.username not in page.split("<main", 1)[1]
    assert '<dd>India <span class="code">IN</span></dd>' in page  # the country in words
