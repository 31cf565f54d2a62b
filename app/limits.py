"""A limit on the size of request bodies, as pure ASGI middleware.

Content-Length is checked first (a declared body over the limit is refused before a byte of
it is read), but it is not trusted: a chunked body has none, and a client may lie. The bytes
are counted as they stream to the app, and the request is refused with 413 the moment they
pass the limit."""

import json
from collections.abc import Iterable
from html import escape

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# the multipart envelope around an uploaded file (boundaries, headers, other fields)
UPLOAD_ENVELOPE_BYTES = 64 * 1024


def describe(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KB"
    return f"{limit} bytes"


class BodyTooLarge(HTTPException):
    """Raised from receive() when the streamed body passes the limit; the app's handler for
    HTTP errors answers it (JSON for the API, the error page for forms)."""

    def __init__(self, limit: int, *, upload: bool):
        what = "An upload" if upload else "A request"
        super().__init__(413, f"{what} may be at most {describe(limit)} "
                              f"({limit} bytes); this one is larger.")
        self.limit = limit


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, max_request_bytes: int, max_upload_bytes: int,
                 upload_paths: Iterable[str] = ()):
        self.app = app
        self.max_request_bytes = max_request_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_paths = tuple(p.rstrip("/") for p in upload_paths)

    def is_upload(self, path: str) -> bool:
        return path.rstrip("/") in self.upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = self.is_upload(scope["path"])
        limit = self.max_upload_bytes if upload else self.max_request_bytes
        # what the limit allows in bytes on the wire, and what the message names
        allowed = limit + UPLOAD_ENVELOPE_BYTES if upload else limit
        declared = _content_length(scope)
        if declared is not None and declared > allowed:
            await _refuse(scope, send, BodyTooLarge(limit, upload=upload))
            return

        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > allowed:
                    raise BodyTooLarge(limit, upload=upload)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge as exc:
            # normally the app's own handler answers it; this is for code that lets it escape
            if response_started:
                raise
            await _refuse(scope, send, exc)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _wants_html(scope: Scope) -> bool:
    if scope["path"].startswith("/api/"):
        return False
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return b"text/html" in value
    return False


async def _refuse(scope: Scope, send: Send, exc: BodyTooLarge) -> None:
    if _wants_html(scope):
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<title>Too large · Passage</title><link rel="stylesheet" href="/static/passage.css">'
            f'</head><body><main id="main"><h1>Too large</h1><p>{escape(exc.detail)}</p>'
            '<p><a href="/">Back to the home page</a></p></main></body></html>'
        ).encode()
        content_type = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"detail": exc.detail}).encode()
        content_type = b"application/json"
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", content_type),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
