"""A TestClient whose requests run the app on an event loop in the test's own thread.

Starlette's TestClient runs the app in an event loop on another thread and hands each step of
a request (make its events, start it, wait for the answer, read the body) across to that
thread: about ten thread hops a request, costing more CPU than many of the requests do. This
client is the same TestClient (same API: get/post, cookies, follow_redirects, headers,
raise_server_exceptions, the app's lifespan) with one difference: a request runs the app to
its end (background tasks included, as Starlette's client waits for them too) in one turn of
an event loop of the test's own thread. The app itself is unchanged: its sync routes and
dependencies still run in anyio's worker threads, its middleware and handlers as served.

Only a streamed response (`client.stream(...)`), read piece by piece while other requests
go on, goes through Starlette's client as before, and so does any request made where an
event loop is already running."""

import asyncio
import contextlib
import math
from typing import Any

import anyio
import httpx
import requests.adapters
from anyio._backends._asyncio import _root_task
from anyio.streams.stapled import StapledObjectStream
from starlette.testclient import TestClient


class InThreadTestClient(TestClient):
    def __init__(self, app, *args, **kwargs) -> None:
        super().__init__(app, *args, **kwargs)
        self._threaded = self._transport
        self._in_thread = _InThreadTransport(self)
        self._streaming = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lifespan_task: asyncio.Task | None = None

    # --- the event loop of this thread --------------------------------------------------

    def run(self, coroutine):
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(coroutine)

    def _close_loop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    # --- which transport a request takes --------------------------------------------------

    def send(self, request, *, stream: bool = False, **kwargs):
        self._streaming = stream
        try:
            return super().send(request, stream=stream, **kwargs)
        finally:
            self._streaming = False

    def _transport_for_url(self, url):
        if self._streaming or _loop_running():
            return self._threaded
        return self._in_thread

    # --- lifespan, on this thread's loop ------------------------------------------------

    def __enter__(self):
        if _loop_running():
            return super().__enter__()
        send = anyio.create_memory_object_stream[Any](math.inf)
        receive = anyio.create_memory_object_stream[Any](math.inf)
        self.stream_send = StapledObjectStream(*send)
        self.stream_receive = StapledObjectStream(*receive)

        async def start() -> None:
            self._lifespan_task = asyncio.get_running_loop().create_task(self.lifespan())
            self.task = _TaskResult(self._lifespan_task)
            # anyio keeps its worker threads while the loop's "root task" runs, and takes for
            # it the task run_until_complete runs: here a request's, so each request would
            # start threads anew. The lifespan's task lasts as long as the client, as the
            # portal's task does in Starlette's client.
            _root_task.set(self._lifespan_task)
            await self.wait_startup()

        try:
            self.run(start())
        except BaseException:
            self._close_loop()
            raise
        self.exit_stack = contextlib.ExitStack()
        self.exit_stack.callback(self._close_loop)
        self.exit_stack.callback(self._transport.close)
        self.exit_stack.callback(lambda: self.run(self._shutdown()))
        return self

    async def _shutdown(self) -> None:
        await self.wait_shutdown()
        if self._lifespan_task is not None:
            await self._lifespan_task
        for channel in (self.stream_send, self.stream_receive):
            await channel.aclose()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class _TaskResult:
    """What TestClient's lifespan steps ask of `self.task`: its result (or exception)."""

    def __init__(self, task: asyncio.Task) -> None:
        self._task = task

    def result(self):
        return self._task.result()


class _InThreadTransport(httpx.BaseTransport):
    def __init__(self, client: InThreadTestClient) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        threaded = self.client._threaded
        scope = _http_scope(request, threaded)
        request_body = request.read()
        status: list[int] = []
        headers: list[tuple[str, str]] = []
        body = bytearray()
        extensions: dict[str, Any] = {}
        sent_request = False
        complete = asyncio.Event()

        async def receive():
            nonlocal sent_request
            if not sent_request:
                sent_request = True
                return {"type": "http.request", "body": request_body}
            await complete.wait()  # a client stays connected until the whole answer is in
            return {"type": "http.disconnect"}

        async def send(message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                assert not status, 'Received multiple "http.response.start" messages.'
                status.append(message["status"])
                headers.extend((k.decode(), v.decode()) for k, v in message.get("headers", []))
            elif kind == "http.response.body":
                assert status, 'Received "http.response.body" without "http.response.start".'
                assert not complete.is_set(), (
                    'Received "http.response.body" after response completed.')
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    complete.set()
            elif kind == "http.response.debug":
                extensions["http.response.debug"] = message["info"]

        async def run_app() -> None:
            try:
                await threaded.app(scope, receive, send)
            finally:
                complete.set()

        # as Starlette's client: the app's error is raised unless told not to, and then an
        # answer not begun is an empty 500
        try:
            self.client.run(run_app())
        except Exception:
            if threaded.raise_server_exceptions:
                raise
        if not status:
            if threaded.raise_server_exceptions:
                raise AssertionError("TestClient did not receive any response.")
            return httpx.Response(500, stream=httpx.ByteStream(b""), request=request)
        response = httpx.Response(status[0], headers=headers,
                                  stream=httpx.ByteStream(bytes(body) if request.method != "HEAD"
                                                          else b""),
                                  request=request)
        debug = extensions.get("http.response.debug")
        if debug is not None:
            response.extensions["http.response.debug"] = debug
            if "template" in debug:
                response.template = debug["template"]  # type: ignore[attr-defined]
            if "context" in debug:
                response.context = debug["context"]  # type: ignore[attr-defined]
        return response


def _http_scope(request: httpx.Request, threaded) -> dict[str, Any]:
    """The scope Starlette's TestClient transport makes for an HTTP request."""
    from urllib.parse import unquote

    scheme = request.url.scheme
    port = request.url.port or {"http": 80, "https": 443}[scheme]
    headers = [] if "host" in request.headers else [(b"host", request.url.netloc)]
    headers += [(key.lower().encode(), value.encode())
                for key, value in request.headers.multi_items()]
    return {
        "type": "http",
        "http_version": "1.1",
        "method": request.method,
        "path": unquote(request.url.path),
        "raw_path": request.url.raw_path.split(b"?", 1)[0],
        "root_path": threaded.root_path,
        "scheme": scheme,
        "query_string": request.url.query,
        "headers": headers,
        "client": threaded.client,
        "server": [request.url.raw_host.decode("ascii"), port],
        "extensions": {"http.response.debug": {}, "http.response.trailers": {}},
        "state": threaded.app_state.copy(),
    }


# --- the same, for schemathesis (a `requests` session) -----------------------------------------

def schemathesis_session(client: InThreadTestClient):
    """A `requests` session for schemathesis's `case.call(session=...)` whose requests go through
    `client` (an entered InThreadTestClient), in the test's own thread. Schemathesis's own ASGI
    session hands each request to an event loop on another thread and back, which costs more
    CPU than most of Passage's requests do. Like schemathesis's, the session keeps no cookies
    from one call to the next (it forgets them after each request)."""
    from schemathesis.python.asgi import ASGIClient

    class _Session(ASGIClient):
        def __init__(self) -> None:
            super().__init__(client.app)
            # no proxies nor .netrc for an app in this process: requests would otherwise read
            # the environment's proxy settings and look for ~/.netrc on every request
            self.trust_env = False
            self.adapter = _RequestsAdapter(client)
            self.mount("http://", self.adapter)
            self.mount("https://", self.adapter)

        def request(self, *args, **kwargs) -> requests.Response:
            try:
                return super().request(*args, **kwargs)
            finally:
                self.cookies.clear()

    return _Session()


class _OriginalResponse:
    """What `requests` reads cookies from: the headers, as `http.client`'s message offers them."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.msg = self
        self._headers = headers
        self.closed = False

    def get_all(self, name: str, default=None):
        found = [value for key, value in self._headers if key.lower() == name.lower()]
        return found or default

    def isclosed(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


class _RequestsAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, client: InThreadTestClient) -> None:
        super().__init__()
        self.client = client

    def close(self) -> None:
        pass

    def send(self, request, *args, **kwargs):
        import io
        from http import HTTPStatus

        import urllib3

        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            body = b"".join(part.encode("utf-8") if isinstance(part, str) else part
                            for part in body)
        # the transport itself: the request as `requests` made it, the answer's bytes as sent
        answer = self.client._in_thread.handle_request(httpx.Request(
            request.method, request.url, headers=list(request.headers.items()), content=body))
        content = b"".join(answer.stream)
        headers = list(answer.headers.multi_items())
        try:
            reason = HTTPStatus(answer.status_code).phrase
        except ValueError:
            reason = ""
        raw = urllib3.HTTPResponse(body=io.BytesIO(content), headers=headers,
                                   status=answer.status_code, reason=reason, version=11,
                                   preload_content=False, request_method=request.method,
                                   original_response=_OriginalResponse(headers))
        return self.build_response(request, raw)
