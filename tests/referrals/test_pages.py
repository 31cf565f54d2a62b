"""The referral board, the status buttons, and the referral form, through the HTML pages."""

import re

import pytest
from sqlmodel import select

from app.labels import SERVICE_LABELS
from tests import factories
from tests.pages import csrf_from, sign_in
from tests.referrals.helpers import another_case, events


@pytest.fixture
def board(session):
    """Three referrals of one NGO's cases, one of another's; a coordinator and a caseworker
    per NGO, all with known passwords."""
    ngo = factories.make_organization(session, name="Border Care Foundation")
    other = factories.make_organization(session, name="Safe Return Legal Aid")
    caseworker, _ = factories.make_user(session, role="caseworker", organization=ngo,
                                        username="cw-board")
    stranger, _ = factories.make_user(session, role="caseworker", organization=other,
                                      username="cw-other")
    factories.make_user(session, role="coordinator", username="co-board",
                        organization=factories.make_organization(session, name="Tak Office"))
    case, _ = another_case(session, ngo, given_name="Somchai")
    foreign_case, _ = another_case(session, other)
    made = {
        "shelter": factories.make_referral(session, case=case, created_by=caseworker,
                                           service="shelter", recipient="Mae Sot Safe House"),
        "legal": factories.make_referral(session, case=case, created_by=caseworker,
                                         service="legal", recipient="Tak Legal Clinic",
                                         status="accepted", consent_to_share=False),
        "medical": factories.make_referral(session, case=case, created_by=caseworker,
                                           service="medical", recipient="Mae Sot Hospital",
                                           status="declined"),
        "foreign": factories.make_referral(session, case=foreign_case, created_by=stranger,
                                           service="shelter", recipient="Tak Shelter"),
    }
    session.commit()
    return case, made


def _ids_on(html: str) -> list[str]:
    return re.findall(r'href="/api/v1/referrals/(\d+)/letter.pdf"', html)


def test_board_shows_coordinator_every_referral_with_status_counts(client, board):
    _, made = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    page = client.get("/referrals")
    assert page.status_code == 200
    assert page.text.count("<h1>") == 1
    assert sorted(_ids_on(page.text)) == sorted(str(r.id) for r in made.values())
    assert re.search(r'Pending <span class="count">2</span>', page.text)
    assert "4 referrals." in page.text
    assert "Anonymous: identity not shared" in page.text and "Mark accepted" in page.text


def test_board_filters_by_status_service_and_recipient(client, board):
    _, made = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    assert _ids_on(client.get("/referrals?status=accepted").text) == [str(made["legal"].id)]
    assert sorted(_ids_on(client.get("/referrals?service=shelter").text)) == sorted(
        [str(made["shelter"].id), str(made["foreign"].id)])
    assert sorted(_ids_on(client.get("/referrals?recipient=mae+sot").text)) == sorted(
        [str(made["shelter"].id), str(made["medical"].id)])
    filtered = client.get("/referrals?service=shelter&recipient=tak")
    assert _ids_on(filtered.text) == [str(made["foreign"].id)]
    # the status tabs keep the other filters
    assert 'href="/referrals?status=pending&amp;service=shelter&amp;recipient=tak"' in \
        filtered.text


def test_board_with_bad_filter_is_422_with_the_error_next_to_the_field(client, board):
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    page = client.get("/referrals?from=2025-10-20&to=2025-10-01&status=lost")
    assert page.status_code == 422
    assert 'id="e-to"' in page.text and 'id="e-status"' in page.text
    assert "error-summary" in page.text


def test_board_shows_caseworker_only_their_organisations_referrals_without_buttons(client,
                                                                                   board):
    _, made = board
    sign_in(client, "cw-board", factories.DEFAULT_PASSWORD)
    page = client.get("/referrals")
    assert sorted(_ids_on(page.text)) == sorted(
        str(made[k].id) for k in ("shelter", "legal", "medical"))
    assert "Mark accepted" not in page.text


@pytest.mark.parametrize("role", ["border_official", "admin"])
def test_board_is_403_for_roles_without_referrals(client, session, role):
    factories.make_user(session, role=role, username=f"board-{role}")
    session.commit()
    sign_in(client, f"board-{role}", factories.DEFAULT_PASSWORD)
    assert client.get("/referrals").status_code == 403
    assert 'href="/referrals"' not in client.get("/").text


def test_board_link_in_navigation_for_coordinator_and_caseworker(client, board):
    for username in ("co-board", "cw-board"):
        sign_in(client, username, factories.DEFAULT_PASSWORD)
        assert client.get("/").text.count('href="/referrals"') >= 1


def test_coordinator_moves_status_from_the_board_and_returns_to_the_filtered_board(client,
                                                                                  session,
                                                                                  board):
    _, made = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    page = client.get("/referrals?service=shelter")
    response = client.post(f"/referrals/{made['shelter'].id}/status",
                           data={"status": "accepted", "note": "Bed from Monday",
                                 "back": "/referrals?service=shelter",
                                 "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/referrals?service=shelter&moved={made['shelter'].id}")
    session.expire_all()
    assert session.get(type(made["shelter"]), made["shelter"].id).status == "accepted"
    assert [e.detail for e in events(session, action="referral.update")] == [
        {"from": "pending", "to": "accepted"}]


def test_status_form_never_redirects_away_from_passage(client, board):
    _, made = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    page = client.get("/referrals")
    response = client.post(f"/referrals/{made['shelter'].id}/status",
                           data={"status": "declined", "back": "//evil.example/",
                                 "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.headers["location"] == f"/referrals?moved={made['shelter'].id}"


def test_invalid_move_from_the_board_is_422_with_a_message(client, board):
    _, made = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    page = client.get("/referrals")
    response = client.post(f"/referrals/{made['medical'].id}/status",
                           data={"status": "completed", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert "declined referral cannot become completed" in response.text


def test_status_form_without_csrf_is_refused(client, board):
    _, made = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    response = client.post(f"/referrals/{made['shelter'].id}/status",
                           data={"status": "accepted"})
    assert response.status_code == 403


def test_caseworker_cannot_move_status_from_a_form(client, session, board):
    _, made = board
    sign_in(client, "cw-board", factories.DEFAULT_PASSWORD)
    page = client.get("/referrals")
    response = client.post(f"/referrals/{made['shelter'].id}/status",
                           data={"status": "accepted", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 403


# --- the referral form --------------------------------------------------------------------

def test_caseworker_refers_from_the_form_page_and_lands_on_the_case(client, session, board):
    case, _ = board
    sign_in(client, "cw-board", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}/referrals/new")
    assert page.status_code == 200 and case.reference in page.text
    response = client.post(f"/cases/{case.id}/referrals",
                           data={"service": "psychosocial", "recipient": "Tak Counselling",
                                 "consent_to_share": "yes", "notes": "Prefers a woman",
                                 "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{case.id}#referrals"
    [event] = events(session, action="referral.create")
    assert event.detail["service"] == "psychosocial" and event.detail["consent_to_share"]


def test_referral_form_without_consent_box_makes_an_anonymous_referral(client, session, board):
    case, _ = board
    sign_in(client, "cw-board", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}/referrals/new")
    client.post(f"/cases/{case.id}/referrals",
                data={"service": "embassy", "recipient": "Embassy of India",
                      "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    [event] = events(session, action="referral.create")
    assert event.detail["consent_to_share"] is False


def test_referral_form_with_errors_is_422_refilled_with_errors_by_the_fields(client, board):
    case, _ = board
    sign_in(client, "cw-board", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}/referrals/new")
    response = client.post(f"/cases/{case.id}/referrals",
                           data={"service": "", "recipient": "", "notes": "Keep this text",
                                 "consent_to_share": "yes",
                                 "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert 'id="e-service"' in response.text and 'id="e-recipient"' in response.text
    assert "Keep this text" in response.text and "checked" in response.text
    assert "error-summary" in response.text


def test_referral_form_for_another_organisations_case_is_404(client, session, board):
    case, _ = board
    sign_in(client, "cw-other", factories.DEFAULT_PASSWORD)
    assert client.get(f"/cases/{case.id}/referrals/new").status_code == 404
    home = client.get("/")
    response = client.post(f"/cases/{case.id}/referrals",
                           data={"service": "shelter", "recipient": "X",
                                 "csrf_token": csrf_from(home.text)})
    assert response.status_code == 404
    assert len(events(session, action="referral.create", outcome="denied")) == 2


def test_coordinator_has_no_referral_form(client, board):
    case, _ = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    assert client.get(f"/cases/{case.id}/referrals/new").status_code == 403


# --- the case page partial ----------------------------------------------------------------

def test_case_page_shows_referral_status_and_the_form_for_caseworkers(client, board):
    case, made = board
    sign_in(client, "cw-board", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert 'id="referrals"' in page.text
    assert f'action="/cases/{case.id}/referrals"' in page.text
    assert "Make referral" in page.text
    for label in SERVICE_LABELS.values():  # the partial's own labels match the service's
        assert label in page.text


def test_case_page_shows_coordinator_referrals_without_the_form(client, board):
    case, _ = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert 'id="referrals"' in page.text
    assert "Make referral" not in page.text


def test_case_referrals_partial_renders_statuses_when_given_the_referrals(client, session,
                                                                         board):
    """Rendered as the case page would, with the list from referrals.service.case_referrals."""
    from starlette.requests import Request

    from app.audit.service import Actor
    from app.auth.models import User
    from app.referrals import service
    from app.web import templates

    case, made = board
    user = session.exec(select(User).where(User.username == "cw-board")).one()
    actor = Actor.of(user)
    refs = service.case_referrals(session, actor=actor, case_id=case.id)
    assert [r.id for r in refs] == [made[k].id for k in ("shelter", "legal", "medical")]
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                       "query_string": b"", "app": client.app, "state": {}})
    html = templates().get_template("referrals/_case_referrals.html").render(
        request=request, user=actor, case={"id": case.id, "organization_id":
                                           case.organization_id},
        case_referrals=refs)
    assert "Pending" in html and "Accepted" in html and "Declined" in html
    assert "No: anonymous" in html and "Mae Sot Safe House" in html
    assert html.count("letter.pdf") == 3


def test_board_filters_by_case_as_the_case_page_links_it(client, session, board):
    case, made = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    page = client.get(f"/referrals?case_id={case.id}")
    assert sorted(_ids_on(page.text)) == sorted(
        str(made[k].id) for k in ("shelter", "legal", "medical"))
    assert f'name="case_id" value="{case.id}"' in page.text


def test_a_move_is_confirmed_by_naming_the_referral_and_its_note(client, board):
    case, made = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    page = client.get("/referrals")
    board_page = client.post(f"/referrals/{made['shelter'].id}/status",
                             data={"status": "accepted", "note": "Bed from Monday",
                                   "back": "/referrals", "csrf_token": csrf_from(page.text)})
    assert board_page.status_code == 200
    notice = board_page.text.split('id="moved">', 1)[1].split("</p>", 1)[0]
    text = re.sub(r"<[^>]+>", "", notice)
    assert text == (f"Referral of {case.reference} to Shelter (Mae Sot Safe House) is now "
                    "accepted, with the note: “Bed from Monday”.")
    # the note stays beside the status on the board
    assert '<p class="status-note" dir="auto">Bed from Monday</p>' in board_page.text


def test_the_board_names_no_referral_the_reader_may_not_see(client, board):
    _, made = board
    sign_in(client, "cw-other", factories.DEFAULT_PASSWORD)
    page = client.get(f"/referrals?moved={made['shelter'].id}")
    assert page.status_code == 200
    assert 'id="moved"' not in page.text and "Mae Sot Safe House" not in page.text
    assert 'id="moved"' not in client.get("/referrals?moved=99999999999999999999").text


def test_the_note_of_a_move_shows_on_the_case_page_timeline_and_report(client, session, board):
    case, made = board
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    page = client.get("/referrals")
    for key, status, note in (("shelter", "accepted", "Bed from Monday"),
                              ("legal", "completed", "Hearing on 3 Dec")):
        client.post(f"/referrals/{made[key].id}/status",
                    data={"status": status, "note": note, "back": "/referrals",
                          "csrf_token": csrf_from(page.text)})
    sign_in(client, "cw-board", factories.DEFAULT_PASSWORD)
    case_page = client.get(f"/cases/{case.id}").text
    assert '<p class="status-note" dir="auto">Bed from Monday</p>' in case_page
    timeline = case_page.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert "Referral (Shelter) marked accepted by co-board: “Bed from Monday”" in timeline
    report = client.get("/api/v1/reports/referrals?labels=codes").content.decode("utf-8-sig")
    import csv
    import io
    rows = {r["recipient"]: r for r in csv.DictReader(io.StringIO(report))}
    assert rows["Mae Sot Safe House"]["status_note"] == "Bed from Monday"
    # an anonymous referral's notes stay out of the report, as its other notes do
    assert rows["Tak Legal Clinic"]["status_note"] == ""
    assert rows["Mae Sot Hospital"]["status_note"] == ""


def test_people_who_moved_a_referral_are_named_by_their_full_name(client, session, board):
    from app.auth.models import User

    case, made = board
    coordinator = session.exec(select(User).where(User.username == "co-board")).one()
    coordinator.full_name = "Maria Santos"
    session.add(coordinator)
    session.commit()
    sign_in(client, "co-board", factories.DEFAULT_PASSWORD)
    page = client.get("/referrals")
    moved = client.post(f"/referrals/{made['shelter'].id}/status",
                        data={"status": "accepted", "back": "/referrals",
                              "csrf_token": csrf_from(page.text)})
    assert "by Maria Santos" in moved.text and "by co-board" not in moved.text
    sign_in(client, "cw-board", factories.DEFAULT_PASSWORD)
    assert "Referral (Shelter) marked accepted by Maria Santos" in client.get(
        f"/cases/{case.id}").text
