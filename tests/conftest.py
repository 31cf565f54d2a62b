"""Test database and client.

A session-wide database is created fresh (a SQLite file, or a new PostgreSQL database when
PASSAGE_TEST_DATABASE_URL points at a server) and migrated with `alembic upgrade head`. Each
test runs inside a transaction that is rolled back at the end; requests commit to savepoints.
"""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Cheaper argon2 in tests: the same code path with smaller parameters. Set before the app reads
# its settings.
os.environ.setdefault("PASSAGE_ARGON2_TIME_COST", "1")
os.environ.setdefault("PASSAGE_ARGON2_MEMORY_COST", "8192")
os.environ.setdefault("PASSAGE_SECRET_KEY", "test-secret-" + "x" * 40)
os.environ["PASSAGE_ENV"] = "development"

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.config import get_settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from tests import factories  # noqa: E402

SERVER_URL = os.environ.get("PASSAGE_TEST_DATABASE_URL")


def _create_database(tmp_dir: Path, *, migrate: bool = True) -> str:
    """A new, empty database; migrated to head unless told otherwise."""
    if SERVER_URL:
        name = f"passage_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(_psycopg(SERVER_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(_psycopg(SERVER_URL)).set(database=name).render_as_string(
            hide_password=False)
    else:
        url = f"sqlite:///{tmp_dir / f'passage-{uuid.uuid4().hex[:8]}.db'}"
    if migrate:
        upgrade(url)
    return url


def _drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    from app.db import engine_for

    engine_for.cache_clear()
    name = make_url(url).database
    admin = create_engine(_psycopg(SERVER_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    url = _create_database(tmp_path_factory.mktemp("db"))
    os.environ["PASSAGE_DATABASE_URL"] = url
    get_settings.cache_clear()
    yield url
    _drop_database(url)


@pytest.fixture
def fresh_database_url(tmp_path) -> Iterator[str]:
    """A database of its own, for tests that commit (command line, served app, migrations)."""
    url = _create_database(tmp_path)
    yield url
    _drop_database(url)


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    url = _create_database(tmp_path, migrate=False)
    yield url
    _drop_database(url)


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection) -> Iterator[Session]:
    """The test's own view of the database, inside the test's transaction."""
    with Session(bind=connection, join_transaction_mode="create_savepoint",
                 expire_on_commit=False) as s:
        yield s


@pytest.fixture
def app(connection):
    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint",
                       expire_on_commit=False)

    return create_app(get_settings(), session_factory=factory)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@dataclass
class SignedIn:
    user: object
    password: str
    headers: dict[str, str]


@pytest.fixture
def login_as(client, session):
    """login_as("caseworker", organization="NGO A") -> a user with a real token from the
    real sign-in route."""

    def _login(role: str, *, organization: str | None = None, username: str | None = None):
        org = factories.make_organization(session, name=organization or f"Org of {role}")
        user, password = factories.make_user(session, role=role, organization=org,
                                             username=username)
        session.commit()
        response = client.post("/api/v1/auth/token",
                               data={"username": user.username, "password": password})
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        return SignedIn(user=user, password=password,
                        headers={"Authorization": f"Bearer {token}"})

    return _login
