"""Limits as pure ASGI middleware: the size of request bodies, and how many requests are at
work on the database at once (DatabaseAdmission).

Bodies: Content-Length is checked first (a declared body over the limit is refused before a byte of
it is read), but it is not trusted: a chunked body has none, and a client may lie. The bytes
are counted as they stream to the app, and the request is refused with 413 the moment they
pass the limit."""

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from html import escape

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("passage.limits")

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


class DatabaseAdmission:
    """At most `limit` requests of a process at work at once, `limit` being the connections it
    keeps (app/db.py, "Pool and threads"); the others wait here, holding nothing, for at most
    `wait_seconds`, then get `refuse(request)` (503 with Retry-After).

    Why at the door: a request holds its connection until FastAPI commits after the response
    is made, and making the response of a route takes a worker thread again. Were more requests
    at work than connections, the threads could all be waiting for a connection held by
    requests waiting for a thread, until the pool timed out (500s, and queues of 30 s). Here
    a request admitted always finds a connection and a thread. /healthz (its own probe) and
    static files need no connection and are never held."""

    def __init__(self, app: ASGIApp, *, limit: int, wait_seconds: float,
                 refuse: Callable[[Request], Response], exempt: tuple[str, ...] = ()):
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.refuse = refuse
        self.exempt = exempt
        self._slots = asyncio.Semaphore(limit)
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a semaphore serves one event loop (tests start several)
            self._slots, self._loop = asyncio.Semaphore(self.limit), loop
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_seconds)
        except TimeoutError:
            log.warning("busy: no database connection free within %.1f s", self.wait_seconds)
            await self.refuse(Request(scope))(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()
