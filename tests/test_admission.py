"""The door of a busy process (app.limits.DatabaseAdmission): no more requests at work at once
than it has connections; one that cannot get in within the wait gets the app's 503 with
Retry-After (never a 500, never a hang), and requests that need no connection always pass."""

import asyncio

import anyio
from fastapi.testclient import TestClient

from app.config import get_settings
from app.limits import DatabaseAdmission
from app.main import create_app


async def _slow_app(scope, receive, send):
    await asyncio.sleep(0.5)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"done"})


def _scope(path: str) -> dict:
    return {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
            "query_string": b"", "headers": [(b"accept", b"application/json")],
            "client": ("127.0.0.1", 1), "server": ("testserver", 80), "scheme": "http",
            "root_path": "", "http_version": "1.1"}


def test_a_request_beyond_the_limit_waits_then_gets_503_with_retry_after():
    app = create_app(get_settings())
    admission = DatabaseAdmission(_slow_app, limit=2, wait_seconds=0.1,
                                  refuse=lambda request: app.state.database_unavailable(request),
                                  exempt=("/healthz",))
    answers: list[tuple[str, int, dict]] = []

    async def call(path: str) -> None:
        messages = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            messages.append(message)

        await admission(_scope(path), receive, send)
        start = messages[0]
        answers.append((path, start["status"], dict(start["headers"])))

    async def main():
        async with anyio.create_task_group() as tasks:
            for path in ("/api/v1/a", "/api/v1/b", "/api/v1/c", "/healthz"):
                tasks.start_soon(call, path)
                await asyncio.sleep(0.01)

    anyio.run(main)
    by_path = {path: (status, headers) for path, status, headers in answers}
    assert by_path["/api/v1/a"][0] == by_path["/api/v1/b"][0] == 200
    status, headers = by_path["/api/v1/c"]
    assert status == 503 and int(headers[b"retry-after"]) > 0
    assert by_path["/healthz"][0] == 200  # needs no connection: never held at the door
    # the first refused (the quickest answer), the slow ones after
    assert [path for path, _, _ in answers][0] == "/api/v1/c"


def test_the_worker_runs_a_thread_for_each_connection():
    settings = get_settings().model_copy(update={"database_pool_size": 7})
    with TestClient(create_app(settings)) as client:
        tokens = client.portal.call(
            lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
    assert tokens == 7
