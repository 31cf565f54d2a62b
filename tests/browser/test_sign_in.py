import re

import pytest

pytestmark = pytest.mark.browser


def test_border_official_signs_in_and_sees_their_home_page(live_server, page, tmp_path):
    password = live_server.create_user("somchai", "border_official", "Mae Sot Border Post")
    page.goto(live_server.base_url + "/")
    assert page.url.endswith("/login")
    page.get_by_label("Username").fill("somchai")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Border official: what you can do"
    assert "Mae Sot Border Post" in page.locator("header").inner_text()
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))


def test_wrong_password_in_the_browser_shows_one_plain_message(live_server, page):
    live_server.create_user("maria", "coordinator", "Tak Coordination Office")
    page.goto(live_server.base_url + "/login")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill("this is not it!")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().count("Incorrect username or password") == 1
