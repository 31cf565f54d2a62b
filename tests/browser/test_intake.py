"""The whole intake in a browser: sign in as a caseworker, register a person, open a case,
interview, read the suggestion and its reasons, record the determination."""

import re

import pytest

pytestmark = pytest.mark.browser

TRAFFICKED = ["DR1", "DR2", "EX1", "EX4", "CD1", "CD3", "CD6"]


def _sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def _register_and_open_case(page, base_url: str) -> None:
    page.get_by_role("link", name="People").first.click()
    page.get_by_role("link", name="Register a person", exact=True).click()
    page.locator("#f-given_name").fill("Juan")
    page.locator("#f-family_name").fill("Dela Cruz")
    page.get_by_label("Sex", exact=True).select_option("male")
    page.get_by_label("Date of birth", exact=True).fill("1994-03-12")
    page.get_by_label("Nationality", exact=True).select_option("PH")
    page.get_by_label("Languages spoken").fill("Tagalog, English")
    page.get_by_role("button", name="Check for duplicates and register").click()
    page.wait_for_url(re.compile(r"/people/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Juan Dela Cruz"
    page.get_by_role("button", name="Open a case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert re.match(r"Case PSG-\d{4}-\d{6}", page.get_by_role("heading", level=1).inner_text())


def test_caseworker_runs_the_whole_intake_on_a_phone(live_server, page, tmp_path):
    password = live_server.create_user("naw", "caseworker", "Border Care Foundation")
    base = live_server.base_url
    _sign_in(page, base, "naw", password)
    _register_and_open_case(page, base)

    page.get_by_role("link", name="Start the intake interview").click()
    page.wait_for_url(re.compile(r"/cases/\d+/interview$"))
    # the language of the interview first
    page.get_by_label("Language of the interview").select_option("other")
    page.get_by_label("If another language, which one").fill("Tagalog")
    page.get_by_role("button", name="Start the interview").click()
    page.wait_for_url(re.compile(r"/cases/\d+/interview\?language=other&other=Tagalog$"))
    # every question starts at "Don't know"
    assert page.locator('input[type=radio][value=unknown]:checked').count() == 40
    assert page.locator('input[type=radio][value=yes]:checked').count() == 0
    # on a phone each choice is a full-width button
    choices = page.locator("#f-DR1 .choices")
    yes = choices.get_by_label("Yes", exact=True)
    box, row = choices.locator("label").first.bounding_box(), choices.bounding_box()
    assert box["width"] >= 0.95 * row["width"] and box["height"] >= 44

    # nothing is saved without consent: the browser keeps the form
    page.locator("#f-DR1").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save interview and see the screening").click()
    assert "/interview?" in page.url
    assert page.locator("#f-consent_given:invalid").count() == 1

    page.get_by_label("The person has given informed consent").check()
    page.get_by_label("An interpreter took part").check()
    page.get_by_label("When was the person recruited?").fill("2025-02-01")
    for code in TRAFFICKED:
        page.locator(f"#f-{code}").get_by_label("Yes", exact=True).check()
    page.locator("#f-CD4").get_by_label("No", exact=True).check()
    page.get_by_label("Note on coercion at destination").fill("Guards at the gate, all day.")
    page.get_by_label("Narrative").fill("Offered a call-centre job in Bangkok; taken across "
                                        "the river to KK Park.")
    assert yes.is_checked()
    page.screenshot(path=str(tmp_path / "intake.png"), full_page=True)
    page.get_by_role("button", name="Save interview and see the screening").click()
    page.wait_for_url(re.compile(r"/cases/\d+#suggestion$"))

    suggestion = page.locator("#suggestion")
    text = suggestion.inner_text()
    assert "Screening suggests: indicators of trafficking found" in text
    assert "decide below" in text
    assert "Passport or identity documents taken (strong)" in text
    assert ("Deceptive recruitment present: deceived about the job DR1 (strong) and deceived about "
            "wages or earnings DR2 (medium).") in text
    assert "The adult rule is met" in text
    page.screenshot(path=str(tmp_path / "suggestion.png"), full_page=True)

    # a determination that differs from the suggestion needs a rationale
    determination = page.locator("#determination")
    determination.get_by_label("Willing worker").check()
    determination.get_by_role("button", name="Record determination").click()
    assert "differs from the screening suggestion" in page.locator("#e-rationale").inner_text()
    assert page.get_by_role("alert").count() >= 1

    determination = page.locator("#determination")
    determination.get_by_label("Trafficking victim").check()
    determination.get_by_role("button", name="Record determination").click()
    page.wait_for_url(re.compile(r"/cases/\d+#determination$"))
    decided = page.locator("#determination").inner_text()
    assert "Trafficking victim, decided by naw" in decided
    timeline = page.locator("ol.timeline").inner_text()
    assert "Determination: Trafficking victim" in timeline
    assert "Interview recorded; screening suggests: indicators of trafficking found" in timeline
    page.screenshot(path=str(tmp_path / "determined.png"), full_page=True)


def test_intake_works_without_javascript(live_server, browser):
    password = live_server.create_user("ananya", "caseworker", "Safe Return Legal Aid")
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        base = live_server.base_url
        _sign_in(page, base, "ananya", password)
        _register_and_open_case(page, base)
        page.get_by_role("link", name="Start the intake interview").click()
        page.get_by_label("Language of the interview").select_option("en")
        page.get_by_role("button", name="Start the interview").click()
        page.get_by_label("The person has given informed consent").check()
        page.get_by_role("button", name="Save interview and see the screening").click()
        page.wait_for_url(re.compile(r"/cases/\d+#suggestion$"))
        # every answer left at "Don't know": strong indicators unknown, so it needs assessment
        assert "Screening suggests: needs assessment" in page.locator("#suggestion").inner_text()
        page.locator("#determination").get_by_label("Undetermined").check()
        page.get_by_role("button", name="Record determination").click()
        page.wait_for_url(re.compile(r"#determination$"))
        assert "Undetermined: needs further assessment, decided by ananya" in \
            page.locator("#determination").inner_text()
    finally:
        context.close()
