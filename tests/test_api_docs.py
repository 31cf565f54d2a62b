"""/docs and /redoc load nothing from another host (no CDN) and carry a
Content-Security-Policy that allows scripts from Passage only."""

import re

import pytest

URL_ATTRIBUTE = re.compile(r'(?:src|href|spec-url|data-openapi-url)="([^"]*)"')


def _policy(response) -> dict[str, list[str]]:
    directives = [d.strip().split() for d in response.headers["content-security-policy"]
                  .split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_page_loads_everything_from_passage_under_a_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.text
    assert "<script>" not in html and "<style" not in html  # nothing inline
    urls = URL_ATTRIBUTE.findall(html)
    assert urls, html
    for url in urls:
        assert url.startswith("/") or url == "data:,", url
        assert not url.startswith("//"), url
    assert not re.search(r"https?://|//cdn|jsdelivr|unpkg|googleapis", html)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    # no directive names another host
    assert not any(re.match(r"https?:|\*", source) for sources in policy.values()
                   for source in sources)
    for url in urls:
        if url.startswith("/static/") or url.startswith("/openapi"):
            asset = client.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 100, url


def test_docs_assets_are_the_real_bundles(client):
    for name, kind in [("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "css"),
                       ("redoc.standalone.js", "javascript")]:
        response = client.get(f"/static/api-docs/{name}")
        assert response.status_code == 200
        assert kind in response.headers["content-type"]
        assert len(response.content) > 100_000


def test_fastapis_cdn_pages_are_gone(client):
    assert client.get("/docs/oauth2-redirect").status_code == 404
    assert "cdn.jsdelivr.net" not in client.get("/docs").text
