import os
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import get_settings
from app.db import make_engine, session_factory_for
from app.main import create_app
from tests.live import PASSAGE


def run(database_url: str, *args: str, input: str | None = None, cwd: Path | None = None):
    return subprocess.run([PASSAGE, *args], input=input, text=True, capture_output=True,
                          env={**os.environ, "PASSAGE_DATABASE_URL": database_url}, cwd=cwd,
                          timeout=300)


def client_on(database_url: str) -> TestClient:
    engine = make_engine(database_url)
    return TestClient(create_app(get_settings(), session_factory=session_factory_for(engine)))


def test_createuser_from_any_directory_then_token(fresh_database_url, tmp_path):
    result = run(fresh_database_url, "createuser", "naw", "--role", "caseworker",
                 "--organization", "Border Care Foundation", "--password-stdin",
                 input="a long enough password\nsecond line ignored\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Created naw (caseworker) in Border Care Foundation." in result.stdout
    with client_on(fresh_database_url) as client:
        ok = client.post("/api/v1/auth/token",
                         data={"username": "naw", "password": "a long enough password"})
        assert ok.status_code == 200
        me = client.get("/api/v1/me",
                        headers={"Authorization": f"Bearer {ok.json()['access_token']}"})
        assert me.json()["organization"] == "Border Care Foundation"
        wrong = client.post("/api/v1/auth/token",
                            data={"username": "naw", "password": "second line ignored"})
        assert wrong.status_code == 401


def test_createuser_refuses_short_password_and_unknown_role(fresh_database_url):
    short = run(fresh_database_url, "createuser", "x", "--role", "admin",
                "--organization", "O", "--password-stdin", input="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    role = run(fresh_database_url, "createuser", "y", "--role", "king",
               "--organization", "O", "--password-stdin", input="long enough password\n")
    assert role.returncode == 2 and "role" in role.stderr


def test_migrate_from_another_directory(empty_database_url, tmp_path):
    result = run(empty_database_url, "migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with client_on(empty_database_url) as client:
        assert client.get("/healthz").status_code == 200
