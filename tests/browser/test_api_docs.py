"""/docs and /redoc in a real browser: everything they load comes from Passage, the
Content-Security-Policy refuses anything else, and the documentation is actually drawn."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


class Watch:
    """The requests a page made to other hosts, which of them the CSP blocked, and the CSP's
    complaints."""

    def __init__(self, page):
        self.foreign: list[str] = []
        self.blocked: list[str] = []
        self.complaints: list[str] = []
        page.on("request", lambda r: self.foreign.append(r.url)
                if urlsplit(r.url).hostname not in ("127.0.0.1", None) else None)
        page.on("requestfailed", lambda r: self.blocked.append(r.url)
                if r.failure == "csp" else None)
        page.on("console", lambda m: self.complaints.append(m.text)
                if "Content Security Policy" in m.text else None)


def test_swagger_ui_is_drawn_from_passage_alone(live_server, page):
    watch = Watch(page)
    page.goto(live_server.base_url + "/docs")
    page.locator(".swagger-ui .info .title").filter(has_text="Passage").wait_for()
    page.get_by_text("/api/v1/auth/token").first.wait_for()
    assert (watch.foreign, watch.complaints) == ([], [])


def test_redoc_is_drawn_from_passage_alone_and_searches(live_server, page):
    watch = Watch(page)
    page.set_viewport_size({"width": 1280, "height": 900})  # the side menu, with the search
    page.goto(live_server.base_url + "/redoc")
    page.locator("h1").filter(has_text="Passage").first.wait_for()
    page.get_by_text("/api/v1/auth/token").first.wait_for()
    # the search runs in a worker of its own (the policy's worker-src)
    page.get_by_placeholder("Search...").fill("token")
    page.locator("[data-role='search:results'] li, [role='search'] li").first.wait_for()
    # ReDoc's bundle always asks for Redocly's logo from Redocly's server: the policy
    # refuses it, and ReDoc then leaves the logo out
    assert watch.foreign in ([], [REDOCLY_LOGO])
    assert watch.blocked == watch.foreign
    assert all(REDOCLY_LOGO in complaint for complaint in watch.complaints)
