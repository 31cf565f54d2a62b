"""Issue 12's smaller things: the page you are on is marked in the navigation; the exports tile
promises only what the role may download; times say their zone."""

import html
import re

import pytest

from tests import factories
from tests.pages import sign_in


def _signed_in(client, session, role: str) -> None:
    user, password = factories.make_user(session, role=role)
    session.commit()
    sign_in(client, user.username, password)


@pytest.mark.parametrize(("role", "path", "current"), [
    ("caseworker", "/", "Home"), ("caseworker", "/cases", "Cases"),
    ("coordinator", "/referrals", "Referrals"), ("admin", "/admin/audit", "Audit log"),
    ("border_official", "/crossings/import", "Import roster")])
def test_navigation_marks_the_page_you_are_on(client, session, role, path, current):
    _signed_in(client, session, role)
    nav = client.get(path).text.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'aria-current="page">([^<]+)<', nav) == [current]


@pytest.mark.parametrize(("role", "promise"), [
    ("caseworker", "Download your organisation's referrals and cases in HTCDS."),
    ("border_official", "Download statistics without names."),
    ("coordinator", "Download every organisation's referrals, statistics without names and the "
                    "CTDC data set."),
])
def test_exports_tile_promises_only_what_the_role_may_download(client, session, role, promise):
    _signed_in(client, session, role)
    home = client.get("/").text
    tile = home.split('<li class="tile"><a href="/exports">', 1)[1].split("</a>", 1)[0]
    assert promise in html.unescape(tile)


def test_times_say_their_zone(client, session):
    org = factories.make_organization(session)
    user, password = factories.make_user(session, role="caseworker", organization=org)
    person = factories.make_person(session, organization=org)
    case = factories.make_case(session, person=person, organization=org)
    factories.make_screening(session, case=case, at=factories.aware(2025, 10, 24, 12))
    session.commit()
    sign_in(client, user.username, password)
    page = client.get(f"/cases/{case.id}").text
    assert "Screened 24 Oct 2025 19:00 Thai time;" in page


def test_audit_actions_are_chosen_from_a_list_in_words(client, session):
    _signed_in(client, session, "admin")
    page = client.get("/admin/audit", params={"action": "auth.*"}).text
    assert '<select id="f-action" name="action"' in page
    assert '<option value="person.read">Person record: read</option>' in page
    assert '<option value="auth.*" selected>Every sign-in event</option>' in page
    # each event's action in words, its code in small text
    assert re.search(r'<td>Sign-in: signed in <span class="code">auth.sign_in</span></td>', page)


def test_counts_are_written_with_thousands_separators(client, session):
    from app.web import templates

    rendered = templates().env.from_string("{{ 12480|num }} · {{ 7|num }}").render()
    assert rendered == "12,480 · 7"


def test_nationalities_and_countries_are_names_with_the_code_in_small_text(client, session):
    org = factories.make_organization(session)
    user, password = factories.make_user(session, role="caseworker", organization=org)
    factories.make_person(session, organization=org, given_name="Aung", nationality_code="MM")
    factories.make_compound(session, name="Names Park", country_code="KH")
    session.commit()
    sign_in(client, user.username, password)
    people = client.get("/people", params={"name": "Aung"}).text
    assert '<td>Myanmar <span class="code">MM</span></td>' in people
    compounds = client.get("/compounds").text
    assert '<td>Cambodia <span class="code">KH</span></td>' in compounds
