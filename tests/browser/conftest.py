"""Browser tests: the app served by uvicorn on a free port against a fresh database (in a
thread of the test process: tests/live.py), driven by Playwright in Debian's chromium
(`apt-get install chromium`; Playwright's own browser download cannot work on these
machines)."""

import os
from pathlib import Path

import pytest

from tests.live import serve_in_thread, stop_server

CHROMIUM = os.environ.get("PASSAGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture
def live_server(fresh_database_url):
    server = serve_in_thread(fresh_database_url)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
