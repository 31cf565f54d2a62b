"""In the browser: a coordinator builds a batch and downloads its manifest, a border official
ticks the departure list as the person passes, and the case page shows them departed."""

import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.auth.models import User
from app.db import make_engine
from tests import factories
from tests.browser.test_every_page import WCAG_A_AA

pytestmark = pytest.mark.browser


def _ready_case(database_url: str, username: str) -> int:
    """A case of the caseworker's organisation whose person is ready to go home."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            user = session.exec(select(User).where(User.username == username)).one()
            org = factories.make_organization(session, name="Border Care Foundation")
            person = factories.make_person(session, organization=org, given_name="अनन्या",
                                           family_name="राव", nationality_code="IN",
                                           document_number="Z7654321")
            case = factories.make_case(session, person=person, organization=org,
                                       assigned_to=user, status="determined")
            factories.make_repatriation(session, case=case, created_by=user,
                                        stage="documents_ready", name_latin="Ananya Rao")
            session.commit()
            return case.id
    finally:
        engine.dispose()


def _violations(page) -> list[str]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_A_AA)
    return [f"{page.url}: {v['id']} {v['help']}" for v in results.response["violations"]]


def _sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def test_a_batch_is_built_leaves_and_the_case_shows_departed(live_server, browser, page,
                                                             tmp_path):
    base = live_server.base_url
    passwords = {
        "naw": live_server.create_user("naw", "caseworker", "Border Care Foundation"),
        "maria": live_server.create_user("maria", "coordinator", "Tak Coordination Office"),
        "somchai": live_server.create_user("somchai", "border_official",
                                           "Mae Sot Border Post")}
    case_id = _ready_case(live_server.database_url, "naw")

    # the coordinator makes the batch, adds the person, downloads the manifest, clears it
    _sign_in(page, base, "maria", passwords["maria"])
    page.get_by_role("link", name="Repatriation").first.click()
    page.wait_for_url(re.compile(r"/repatriation$"))
    assert "India (IN)" in page.locator("table").first.inner_text()
    found = _violations(page)
    page.get_by_label("Name").fill("Indian Air Force flight 3")
    page.get_by_label("Going to").select_option("IN")
    page.get_by_label("Departs on").fill("2025-11-12")
    page.locator("#f-mode").select_option("flight")
    page.get_by_label("Exit point").fill("Mae Sot Airport")
    page.get_by_label("Border organisation").select_option(label="Mae Sot Border Post")
    page.get_by_role("button", name="Make the batch").click()
    page.wait_for_url(re.compile(r"/repatriation-batches/\d+$"))
    batch_url = page.url
    found += _violations(page)
    page.get_by_label("अनन्या राव").check()
    page.get_by_role("button", name="Add the people ticked to the batch").click()
    page.wait_for_url(batch_url)
    assert "Z7654321" in page.locator("#members-h + div").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Manifest (XLSX)").click()
    rows = list(load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
                ["Manifest"].iter_rows(values_only=True))
    assert rows[1][1:4] == ("अनन्या", "राव", "Ananya Rao")
    page.get_by_role("button", name="Mark the whole batch: Cleared to leave").click()
    page.wait_for_url(batch_url)
    assert page.locator("#batch-stage").inner_text() == "Cleared to leave"
    page.screenshot(path=str(tmp_path / "batch.png"), full_page=True)

    # the border official ticks the person as they pass
    border = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    at_border = border.new_page()
    at_border.set_default_timeout(15_000)
    _sign_in(at_border, base, "somchai", passwords["somchai"])
    at_border.get_by_role("link", name="Departures").first.click()
    at_border.get_by_role("link", name="Indian Air Force flight 3").click()
    at_border.wait_for_url(re.compile(r"/departure$"))
    assert "PSG-" not in at_border.content()  # nothing of the case
    at_border.get_by_role("button", name="Passed: अनन्या राव").click()
    at_border.wait_for_url(re.compile(r"/departure$"))
    assert at_border.locator("#passed-count").inner_text() == "1 of 1 passed."
    found += _violations(at_border)
    at_border.screenshot(path=str(tmp_path / "departure.png"), full_page=True)
    border.close()

    # the caseworker's case page: departed
    caseworker = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    desk = caseworker.new_page()
    desk.set_default_timeout(15_000)
    _sign_in(desk, base, "naw", passwords["naw"])
    desk.goto(f"{base}/cases/{case_id}")
    assert "Departed" in desk.locator("#repatriation-stage").inner_text()
    assert desk.locator('#repatriation li[aria-current="step"]').inner_text() == "Departed"
    desk.locator("#repatriation summary").first.click()  # the record's form, open
    found += _violations(desk)
    desk.screenshot(path=str(tmp_path / "case.png"), full_page=True)
    caseworker.close()
    assert not found, "\n".join(found)
