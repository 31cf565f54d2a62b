"""Helpers for tests that drive the HTML pages through the app."""

import re

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client, username: str, password: str):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_from(page.text), "next": "/"},
                       follow_redirects=False)


def post_form(client, page_url: str, action: str, data: dict, **kwargs):
    """GET the page (for its CSRF token), then POST the form to `action`."""
    page = client.get(page_url)
    return client.post(action, data={**data, "csrf_token": csrf_from(page.text)}, **kwargs)
