"""`passage serve` in a subprocess on a free port, for browser and fuzzing tests."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

PASSAGE = str(Path(sys.executable).with_name("passage"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    base_url: str
    database_url: str
    process: subprocess.Popen

    def env(self) -> dict[str, str]:
        return {**os.environ, "PASSAGE_DATABASE_URL": self.database_url}

    def create_user(self, username: str, role: str, organization: str,
                    password: str = "correct horse battery staple") -> str:
        subprocess.run([PASSAGE, "createuser", username, "--role", role,
                        "--organization", organization, "--password-stdin"],
                       input=password + "\n", text=True, env=self.env(), check=True,
                       capture_output=True)
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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"passage serve exited: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                return LiveServer(base_url, database_url, process)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("passage serve did not answer /healthz within 60 s")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
