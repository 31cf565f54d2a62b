"""Passage served on a free port against a database: `passage serve` in a process of its own,
or the same app and server (uvicorn) in a thread of the test process, for tests whose subject is
what a client sees rather than the command."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session

from app.cli import proxy_options
from app.config import Settings, get_settings
from app.db import Timeouts, make_engine, session_factory_for
from app.main import create_app

PASSAGE = str(Path(sys.executable).with_name("passage"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    base_url: str
    database_url: str
    process: subprocess.Popen | None = None
    # when served in a thread of the test process
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    engine: Engine | None = None

    def env(self) -> dict[str, str]:
        return {**os.environ, "PASSAGE_DATABASE_URL": self.database_url}

    def create_user(self, username: str, role: str, organization: str,
                    password: str = "correct horse battery staple", *,
                    global_admin: bool = False) -> str:
        """A user in the served database, stored as `passage createuser` stores one (the
        command itself is tested in tests/test_cli.py), with the factories' password hash."""
        from tests import factories

        engine = make_engine(self.database_url)
        with Session(engine) as session:
            org = factories.make_organization(session, name=organization)
            factories.make_user(session, role=role, organization=org, username=username,
                                password=password, global_admin=global_admin)
            session.commit()
        engine.dispose()
        return password

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([PASSAGE, *args], input=input, text=True, env=self.env(),
                              check=True, capture_output=True)


def start_server(database_url: str, log_path: Path,
                 env: dict[str, str] | None = None) -> LiveServer:
    """`env`: more environment for the server (settings such as PASSAGE_FORWARDED_ALLOW_IPS)."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [PASSAGE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "PASSAGE_DATABASE_URL": database_url, **(env or {})},
        stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, lambda: None if process.poll() is None else
                            f"passage serve exited: {log_path.read_text()[-2000:]}")
    except BaseException:
        process.kill()
        raise
    return LiveServer(base_url, database_url, process)


def _wait_until_healthy(base_url: str, gone: Callable[[], str | None]) -> None:
    deadline = time.monotonic() + 60
    # one client for every try: each new httpx client builds a TLS context (about 20 ms of
    # CPU), and a server process takes a second or two to answer
    with httpx.Client(timeout=1) as http:
        while time.monotonic() < deadline:
            if (why := gone()) is not None:
                raise RuntimeError(why)
            try:
                if http.get(base_url + "/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    raise RuntimeError(f"{base_url} did not answer /healthz within 60 s")


def serve_in_thread(database_url: str, **settings_changes) -> LiveServer:
    """The app `passage serve` serves, with its settings (and `settings_changes`) but this
    database, served by uvicorn on a free port in a thread of the test process: a real server
    on a real socket, without the second or two of CPU a new process spends importing the
    app."""
    settings = get_settings().model_copy(update={"database_url": database_url})
    if settings_changes:  # validated as the environment's settings are
        settings = Settings(**{**settings.model_dump(), **settings_changes})
    engine = make_engine(database_url, Timeouts.of(settings))
    app = create_app(settings, session_factory=session_factory_for(engine))
    port = free_port()
    # as `passage serve` runs it: its proxy options, no access log
    server = uvicorn.Server(uvicorn.Config(
        app, host="127.0.0.1", port=port, **proxy_options(settings.forwarded_allow_ips),
        access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"passage-serve-{port}", daemon=True)
    thread.start()
    live = LiveServer(f"http://127.0.0.1:{port}", database_url, server=server, thread=thread,
                      engine=engine)
    try:
        _wait_until_healthy(live.base_url, lambda: None if thread.is_alive() else
                            "the served app stopped")
    except BaseException:
        stop_server(live)
        raise
    return live


def stop_server(server: LiveServer) -> None:
    if server.process is not None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
        return
    server.server.should_exit = True
    server.thread.join(timeout=30)
    server.engine.dispose()
