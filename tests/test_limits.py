"""Security headers and the request body limit."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.limits import BodySizeLimit
from tests import factories

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
MB = 1024 * 1024


# --- headers -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/login", "/api/v1/me", "/healthz", "/no-such-page"])
def test_security_headers_are_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_hsts_is_sent_over_https_only(app):
    with TestClient(app, base_url="https://passage.example") as https:
        assert https.get("/login").headers["strict-transport-security"].startswith(
            "max-age=63072000")
    with TestClient(app) as http:
        assert "strict-transport-security" not in http.get("/login").headers


def test_session_cookie_is_secure_over_https(app, session):
    factories.make_user(session, role="admin", username="https-user")
    session.commit()
    with TestClient(app, base_url="https://passage.example") as https:
        from tests.pages import sign_in

        response = sign_in(https, "https-user", factories.DEFAULT_PASSWORD)
        assert "; secure" in response.headers["set-cookie"].lower()


def test_templates_have_no_inline_script_or_style():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}")
    assert offenders == []


# --- body limit, through the app -----------------------------------------------------------

def _chunks(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_json_body_over_1_mb_is_413_naming_the_limit(client, login_as):
    headers = login_as("coordinator").headers
    body = b'{"name": "' + b"x" * (MB + 10) + b'"}'
    response = client.post("/api/v1/compounds", headers=headers, content=body)
    assert response.status_code == 413
    assert response.json() == {
        "detail": "A request may be at most 1 MB (1048576 bytes); this one is larger."}


def test_body_without_content_length_is_counted_as_it_streams(client, login_as):
    headers = {**login_as("coordinator").headers, "content-type": "application/json"}
    response = client.post("/api/v1/compounds", headers=headers, content=_chunks(2 * MB))
    assert "content-length" not in response.request.headers
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]


def test_a_content_length_that_lies_is_not_trusted(client, login_as):
    headers = {**login_as("coordinator").headers, "content-type": "application/json",
               "content-length": "100"}
    response = client.post("/api/v1/compounds", headers=headers, content=b"x" * (2 * MB))
    assert response.status_code == 413


def test_form_over_the_limit_gets_an_html_page(client):
    response = client.post("/login", headers={"accept": "text/html"},
                           data={"username": "x" * (2 * MB), "password": "y"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Too large</h1>" in response.text and "1 MB" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"  # headers still apply


def test_requests_under_the_limit_pass(client, login_as):
    headers = login_as("coordinator").headers
    response = client.post("/api/v1/compounds", headers=headers,
                           json={"name": "KK Park", "notes": "n" * 2000})
    assert response.status_code == 201


# --- body limit, the middleware alone ------------------------------------------------------

async def _echo(request: Request):
    body = await request.body()
    return JSONResponse({"received": len(body)})


def _limited_app(**limits) -> TestClient:
    inner = Starlette(routes=[Route("/upload", _echo, methods=["POST"]),
                              Route("/api/v1/form", _echo, methods=["POST"])])
    return TestClient(BodySizeLimit(inner, **limits))


LIMITS = {"max_request_bytes": 1000, "max_upload_bytes": 200_000, "upload_paths": ["/upload"]}


@pytest.mark.parametrize(("path", "size", "status"), [
    ("/api/v1/form", 1000, 200),
    ("/api/v1/form", 1001, 413),
    ("/upload", 200_000, 200),
    ("/upload", 200_000 + 64 * 1024, 200),  # room for the multipart envelope
    ("/upload", 200_000 + 64 * 1024 + 1, 413),
])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_middleware_limits_each_path_with_or_without_content_length(path, size, status,
                                                                    chunked):
    client = _limited_app(**LIMITS)
    content = _chunks(size, 4096) if chunked else b"x" * size
    response = client.post(path, content=content)
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"received": size}
    else:
        # refused by the middleware (JSON) or, once streaming, by the app's own handler
        assert "this one is larger." in response.text


def test_middleware_names_the_upload_limit_in_megabytes():
    client = _limited_app(max_request_bytes=MB, max_upload_bytes=10 * MB,
                          upload_paths=["/upload"])
    response = client.post("/upload", content=b"x" * (11 * MB))
    assert response.json() == {
        "detail": "An upload may be at most 10 MB (10485760 bytes); this one is larger."}


def test_upload_paths_get_the_upload_limit_in_the_app(app):
    settings = app.state.settings
    assert settings.max_request_bytes == MB and settings.max_upload_bytes == 10 * MB
    assert "/api/v1/crossings/import" in settings.upload_paths
