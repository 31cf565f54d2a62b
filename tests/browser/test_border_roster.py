import re

import pytest

from app.demo.roster import count_by_nationality, generate_roster, write_csv

pytestmark = pytest.mark.browser


def test_border_official_uploads_a_roster_and_sees_the_india_count(live_server, page,
                                                                   tmp_path):
    password = live_server.create_user("somchai", "border_official", "Mae Sot Border Post")
    # a fresh database knows no compounds; the roster leaves them out
    rows = [{**r, "compound": ""} for r in generate_roster(size=1500, seed=2025)]
    roster = tmp_path / "kk-park-roster.csv"
    write_csv(rows, roster)
    india = count_by_nationality(rows)["IN"]

    page.goto(live_server.base_url + "/login")
    page.get_by_label("Username").fill("somchai")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))

    page.get_by_role("link", name="Import roster").first.click()
    page.wait_for_url(re.compile(r"/crossings/import$"))
    page.get_by_label("Roster file").set_input_files(str(roster))
    page.get_by_role("button", name="Check roster").click()
    page.get_by_role("heading", name=re.compile("no problems")).wait_for()
    page.get_by_role("button", name="Import 1,500 rows").click()
    page.get_by_role("heading", name="Roster imported").wait_for()
    assert "1,500 crossings recorded" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "imported.png"), full_page=True)

    page.get_by_role("link", name="See the nationality counts").click()
    page.wait_for_url(re.compile(r"/stats/nationalities$"))
    india_row = page.get_by_role("row", name=re.compile(r"^India\b"))
    assert india_row.get_by_role("cell").nth(1).inner_text() == f"{india:,}"
    assert page.locator("svg.bar-chart text.bar-value").first.text_content() == f"{india:,}"
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
