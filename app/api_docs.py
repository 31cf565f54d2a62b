"""The interactive API documentation at /docs (Swagger UI) and /redoc (ReDoc), served from
Passage itself: no CDN, no inline script, under a Content-Security-Policy.

FastAPI's own pages load Swagger UI and ReDoc from a CDN without integrity checks and start
them with an inline script. Here the bundles come from the `fastapi-offline` package (mounted
at ASSETS_PATH) and each page starts from a small script in app/static."""

import importlib.util
import logging
from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

log = logging.getLogger("passage")

ASSETS_PATH = "/static/api-docs"
# ReDoc styles itself by adding <style> elements at run time (styled-components), and runs its
# search in a worker made from a blob: URL. Scripts stay 'self' only, and nothing may come from
# another host.
REDOC_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; worker-src blob:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

router = APIRouter(include_in_schema=False)


def assets() -> ASGIApp:
    """Swagger UI's and ReDoc's files, as the fastapi-offline package ships them. Without the
    package (an environment installed before it was a dependency) the app still starts and
    only these files are 404: `pip install -e .` brings them."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        log.warning("fastapi-offline is not installed: /docs and /redoc cannot load their "
                    "scripts until `pip install -e .` is run")
        return PlainTextResponse("Not Found", status_code=404)  # an ASGI app, for every path
    return StaticFiles(directory=Path(spec.origin).parent / "static")


def _page(title: str, head: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            # no favicon: the browser would otherwise ask for /favicon.ico, which is a 404
            '<link rel="icon" href="data:,">\n'
            f"<title>{escape(title)}</title>\n{head}</head>\n<body>\n{body}</body>\n</html>\n")


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    openapi_url = escape(request.app.openapi_url or "")
    return HTMLResponse(_page(
        f"{request.app.title} API",
        f'<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">\n',
        f'<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>\n'
        f'<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>\n'
        '<script src="/static/api-docs-swagger.js"></script>\n'))


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    openapi_url = escape(request.app.openapi_url or "")
    return HTMLResponse(_page(
        f"{request.app.title} API",
        "",
        f'<redoc spec-url="{openapi_url}"></redoc>\n'
        f'<script src="{ASSETS_PATH}/redoc.standalone.js"></script>\n'),
        headers={"Content-Security-Policy": REDOC_POLICY})
