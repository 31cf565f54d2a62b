"""The attack: a client sends its own X-Forwarded-For to write a made-up address into the
audit log (and to dodge the sign-in limit per address), and X-Forwarded-Proto to pass for
HTTPS. Against a real server with `passage serve`'s proxy options (in a thread of the test
process): proxy headers count only from the addresses named in PASSAGE_FORWARDED_ALLOW_IPS."""

import httpx
import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.config import Settings
from app.db import make_engine
from app.web import CSRF_COOKIE
from tests import factories
from tests.live import serve_in_thread, stop_server
from tests.pages import csrf_from

MADE_UP = "203.0.113.66"
SPOOFED = {"X-Forwarded-For": MADE_UP, "X-Forwarded-Proto": "https"}


@pytest.mark.parametrize(("allowed", "believed"), [
    (None, False),            # the default: no one's proxy headers
    ("10.1.2.3", False),      # a proxy is named, but this request did not come from it
    ("127.0.0.1", True),      # the request came through the named proxy
], ids=["unset", "other-proxy", "this-proxy"])
def test_forwarded_headers_count_only_from_named_proxies(fresh_database_url, allowed, believed):
    engine = make_engine(fresh_database_url)
    with Session(engine) as s:
        user, password = factories.make_user(s, role="caseworker", username="proxied")
        s.commit()
        user_id = user.id
    server = serve_in_thread(fresh_database_url, forwarded_allow_ips=allowed or "")
    try:
        with httpx.Client(base_url=server.base_url, headers=SPOOFED, timeout=30) as http:
            failed = http.post("/api/v1/auth/token",
                               data={"username": "proxied", "password": "a wrong password"})
            assert failed.status_code == 401
            page = http.get("/login")
            # a Secure cookie (as behind a TLS proxy) is not sent back over plain HTTP by
            # httpx's jar: the browser's side of the proxy is HTTPS, so send it by hand
            http.cookies.clear()
            signed_in = http.post("/login", data={"username": "proxied", "password": password,
                                                  "csrf_token": csrf_from(page.text),
                                                  "next": "/"},
                                  headers={"Cookie": f"{CSRF_COOKIE}={page.cookies[CSRF_COOKIE]}"})
            assert signed_in.status_code == 303
    finally:
        stop_server(server)
    with Session(engine) as s:
        addresses = s.exec(select(AuditEvent.client_address, AuditEvent.outcome).where(
            AuditEvent.actor_id == user_id, AuditEvent.action == "auth.sign_in")
            .order_by(AuditEvent.id)).all()
    engine.dispose()
    expected = MADE_UP if believed else "127.0.0.1"
    assert addresses == [(expected, "failure"), (expected, "success")]
    cookie = signed_in.headers["set-cookie"].lower()
    assert ("; secure" in cookie) is believed
    assert ("strict-transport-security" in signed_in.headers) is believed


@pytest.mark.parametrize("value", ["nginx", "10.0.0.300", "127.0.0.1, proxy.local"])
def test_a_proxy_setting_that_is_not_addresses_is_refused_at_start(value):
    with pytest.raises(ValidationError, match="PASSAGE_FORWARDED_ALLOW_IPS"):
        Settings(forwarded_allow_ips=value)


def test_proxy_setting_takes_addresses_networks_or_everyone():
    assert Settings(forwarded_allow_ips=" 10.0.0.2, 172.18.0.0/16,::1").forwarded_allow_ips \
        == "10.0.0.2,172.18.0.0/16,::1"
    assert Settings(forwarded_allow_ips="*").forwarded_allow_ips == "*"
    assert Settings().forwarded_allow_ips == ""
