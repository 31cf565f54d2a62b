import csv
import io
import re

import pytest
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.db import make_engine
from tests import factories

pytestmark = pytest.mark.browser


def _referrals(database_url: str) -> None:
    """Three referrals of one NGO's cases, written straight into the served database."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            org = factories.make_organization(session, name="Border Care Foundation")
            caseworker, _ = factories.make_user(session, role="caseworker", organization=org)
            for given, service, recipient, status, day in [
                ("สมชาย", "shelter", "Mae Sot Safe House", "pending", 20),
                ("王小明", "legal", "Tak Legal Clinic", "pending", 21),
                ("Ramon", "shelter", "Baan Kru Nam Shelter", "accepted", 22),
            ]:
                person = factories.make_person(session, organization=org, given_name=given)
                case = factories.make_case(session, person=person, organization=org)
                factories.make_referral(session, case=case, created_by=caseworker,
                                        service=service, recipient=recipient, status=status,
                                        at=factories.aware(2025, 10, day))
            session.commit()
    finally:
        engine.dispose()


def test_coordinator_filters_the_referral_board_and_downloads_the_report(live_server, page,
                                                                          tmp_path):
    password = live_server.create_user("maria", "coordinator", "Tak Coordination Office")
    _referrals(live_server.database_url)

    page.goto(live_server.base_url + "/login")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    page.wait_for_url(re.compile(r"/referrals$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Referral board"
    assert page.locator("table.board tbody tr").count() == 3

    page.get_by_label("Service").select_option("shelter")
    page.get_by_label("Recipient").fill("mae sot")
    page.get_by_role("button", name="Show referrals").click()
    page.wait_for_url(re.compile(r"service=shelter"))
    rows = page.locator("table.board tbody tr")
    assert rows.count() == 1
    assert "Mae Sot Safe House" in rows.first.inner_text()
    assert page.locator("#referral-total").inner_text() == "1 referral matches the filters."
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)

    page.get_by_role("link", name="Export these referrals").click()
    page.wait_for_url(re.compile(r"/exports\?"))
    assert page.get_by_label("Recipient").input_value() == "mae sot"
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download referral report (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("passage-referrals-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    # in words, as a coordinator reads it
    assert [(r["Service"], r["Recipient"], r["Given name"]) for r in rows] == [
        ("Shelter", "Mae Sot Safe House", "สมชาย")]

    # the download's unit of work has ended: its audit event is committed, and the next page
    # does not wait on a lock the export left behind
    page.goto(live_server.base_url + "/referrals")
    assert page.get_by_role("heading", level=1).inner_text() == "Referral board"
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as session:
            [event] = session.exec(select(AuditEvent)
                                   .where(AuditEvent.action == "export.referrals")).all()
            assert event.detail["rows"] == 1 and event.detail["complete"] is True
            assert event.detail["filters"]["service"] == "shelter"
    finally:
        engine.dispose()
