import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.auth.models import User
from app.cases.models import Case, CaseStatusChange, FollowUp
from app.clock import local_today, utcnow
from app.db import make_engine
from tests import factories

pytestmark = pytest.mark.browser


def _case_with_follow_ups(database_url: str, username: str) -> tuple[int, int]:
    """A case of the caseworker's organisation opened three weeks ago, with one overdue
    follow-up and one due next week, written straight into the served database."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            user = session.exec(select(User).where(User.username == username)).one()
            org = factories.make_organization(session, name="Border Care Foundation")
            person = factories.make_person(session, organization=org, given_name="Ananya",
                                           family_name="Rao", nationality_code="IN")
            case = factories.make_case(session, person=person, organization=org,
                                       assigned_to=user, status="determined")
            case.created_at = utcnow() - timedelta(days=21)
            overdue = factories.make_follow_up(session, case=case,
                                               title="Call the embassy about the passport",
                                               due_on=local_today() - timedelta(days=3))
            factories.make_follow_up(session, case=case, title="Review the support plan",
                                     due_on=local_today() + timedelta(days=7))
            session.commit()
            return case.id, overdue.id
    finally:
        engine.dispose()


def test_caseworker_works_the_queue_and_closes_a_case(live_server, page, tmp_path):
    password = live_server.create_user("naw", "caseworker", "Border Care Foundation")
    case_id, overdue_id = _case_with_follow_ups(live_server.database_url, "naw")

    page.goto(live_server.base_url + "/login")
    page.get_by_label("Username").fill("naw")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))

    # the home page puts the overdue follow-up first
    queue = page.locator("#work-queue li")
    assert queue.first.inner_text().startswith("Overdue")
    assert "Call the embassy about the passport" in queue.first.inner_text()
    page.get_by_role("link", name="Open the work queue").click()
    page.wait_for_url(re.compile(r"/follow-ups$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Your work queue"
    assert "1 overdue, 1 due" in page.locator("#queue-total").inner_text()

    item = page.locator(f"#follow-up-{overdue_id}")
    item.get_by_label('Note on "Call the embassy about the passport"').fill(
        "Embassy will issue a travel document on Friday.")
    item.get_by_role("button", name="Mark done").click()
    page.wait_for_url(re.compile(r"/follow-ups$"))
    assert "0 overdue, 1 due" in page.locator("#queue-total").inner_text()
    assert "Embassy will issue a travel document on Friday." in page.locator(
        "#done").inner_text()
    page.screenshot(path=str(tmp_path / "queue.png"), full_page=True)

    page.locator("#done").get_by_role("link", name=re.compile("case PSG-")).click()
    page.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    page.locator("#status summary").click()
    page.get_by_label("Why is the case closed?").select_option("repatriated")
    page.locator("#s-note").fill("Flew home to Delhi with the travel document.")
    page.get_by_role("button", name="Close case").click()
    page.wait_for_url(re.compile(rf"/cases/{case_id}#status$"))
    assert page.locator("#closed-notice").is_visible()
    assert "Returned home (repatriated)" in page.locator("#status").inner_text()
    assert page.locator("#status summary").inner_text() == "Reopen this case"
    page.screenshot(path=str(tmp_path / "closed.png"), full_page=True)

    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as session:
            assert session.get(FollowUp, overdue_id).done is True
            case = session.get(Case, case_id)
            assert (case.status, case.closure_reason) == ("closed", "repatriated")
            [change] = session.exec(select(CaseStatusChange)
                                    .where(CaseStatusChange.case_id == case_id)).all()
            assert change.note == "Flew home to Delhi with the travel document."
    finally:
        engine.dispose()
