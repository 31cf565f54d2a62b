"""Test database and client.

Each test process (one per pytest-xdist worker) creates a database of its own (a SQLite file,
or a new PostgreSQL database when PASSAGE_TEST_DATABASE_URL points at a server), migrated with
`alembic upgrade head`, and makes one app. Each test runs inside a transaction that is rolled
back at the end; its requests commit to savepoints. Tests that need to commit for real take
`fresh_database_url`; the demo tests share one demo database per run.
"""

import atexit
import fcntl
import gc
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
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
from sqlalchemy import Connection, create_engine, make_url, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.auth import service as auth_service  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from tests import factories  # noqa: E402
from tests.asgi_client import InThreadTestClient  # noqa: E402
from tests.live import PASSAGE  # noqa: E402

SERVER_URL = os.environ.get("PASSAGE_TEST_DATABASE_URL")


def pytest_configure(config) -> None:
    # The cyclic garbage collector less often in test processes: by default it looks at young
    # objects every 700 allocations, and with the app, SQLAlchemy, hypothesis and schemathesis
    # loaded its passes took about a tenth of a test process's CPU (tests/auth and tests/cases:
    # 2.3-2.9 s of 20-24 s, 1.3 s at 10,000). Objects without cycles are freed as before.
    gc.set_threshold(10_000, 10, 10)


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
        if migrate:
            upgrade(url)
        return url
    path = _sqlite_dir(tmp_dir) / "passage.db"
    if migrate:
        _copy_migrated_sqlite(path)
    return f"sqlite:///{path}"


_migrated_sqlite: list[Path] = []


def _copy_migrated_sqlite(path: Path) -> None:
    """A copy of a SQLite database this process migrated with `alembic upgrade head` once:
    the same file as migrating again gives, for a millisecond rather than 0.15-0.3 s of
    CPU."""
    if not _migrated_sqlite:
        folder = _sqlite_dir(Path(tempfile.gettempdir()))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        upgrade(f"sqlite:///{folder / 'migrated.db'}")
        _migrated_sqlite.append(folder / "migrated.db")
    with closing(sqlite3.connect(_migrated_sqlite[0])) as source, \
            closing(sqlite3.connect(path)) as copy:
        source.backup(copy)


def _sqlite_dir(tmp_dir: Path) -> Path:
    """A new directory for one SQLite database: in memory-backed /dev/shm where there is one.
    The files and SQLite are the same; a commit's fsync costs nothing there and about 5 ms on
    disk, and the served app, the command line and the fuzzing commit thousands of times."""
    shm = Path("/dev/shm")  # noqa: S108  (mkdtemp below makes a private directory)
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="passage-test-", dir=shm))
    return Path(tempfile.mkdtemp(prefix="db-", dir=tmp_dir))


def _drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        shutil.rmtree(Path(make_url(url).database).parent, ignore_errors=True)
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
def postgresql_url(fresh_database_url) -> str:
    """A database of its own on PostgreSQL, for tests of locks between real sessions (row
    locks, advisory locks, a pool of connections); skipped on SQLite, which lets one writer
    in at a time."""
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("locks between two sessions: PostgreSQL only (SQLite has one writer at "
                    "a time)")
    return fresh_database_url


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    url = _create_database(tmp_path, migrate=False)
    yield url
    _drop_database(url)


@dataclass
class DemoDatabase:
    url: str
    first_load: subprocess.CompletedProcess


def _load_demo_database(tmp_dir: Path) -> DemoDatabase:
    url = _create_database(tmp_dir)
    first_load = subprocess.run([PASSAGE, "demo"], text=True, capture_output=True, timeout=300,
                                env={**os.environ, "PASSAGE_DATABASE_URL": url})
    return DemoDatabase(url, first_load)


@pytest.fixture(scope="session")
def demo_database(request, tmp_path_factory) -> Iterator[DemoDatabase]:
    """One database loaded by `passage demo` (the command, in a subprocess), shared by the demo
    tests of the whole run, whichever test process they run in: loading it takes seconds. Its
    tests read it; what they write (loading again, signing in) goes in a transaction they roll
    back, or must change nothing."""
    shared = getattr(request.config, "workerinput", {}).get(SHARED_DIR)
    if shared is None:
        demo = _load_demo_database(tmp_path_factory.mktemp("demo"))
        yield demo
        _drop_database(demo.url)
        return
    # the first worker to get here loads it; the controller drops it (pytest_unconfigure)
    record = Path(shared) / "demo.json"
    with (Path(shared) / "demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            saved = json.loads(record.read_text())
            demo = DemoDatabase(saved["url"], subprocess.CompletedProcess(**saved["first_load"]))
        else:
            demo = _load_demo_database(Path(shared))
            load = demo.first_load
            record.write_text(json.dumps({"url": demo.url, "first_load": {
                "args": load.args, "returncode": load.returncode, "stdout": load.stdout,
                "stderr": load.stderr}}))
    yield demo


# Test processes of one run (pytest-xdist workers) share a directory the controller makes, for
# what is made once per run (the demo database).
SHARED_DIR = "passage_shared_dir"
_shared_dir_key = pytest.StashKey[str]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    config = node.config
    if _shared_dir_key not in config.stash:
        config.stash[_shared_dir_key] = tempfile.mkdtemp(prefix="passage-test-run-")
    node.workerinput[SHARED_DIR] = config.stash[_shared_dir_key]


def pytest_unconfigure(config) -> None:
    shared = config.stash.get(_shared_dir_key, None)
    if shared is None:
        return
    record = Path(shared) / "demo.json"
    if record.exists():
        _drop_database(json.loads(record.read_text())["url"])
    shutil.rmtree(shared, ignore_errors=True)


@contextmanager
def rolled_back(engine) -> Iterator[Connection]:
    """A connection in a transaction that is rolled back at the end, whatever was committed to
    it (sessions bound with join_transaction_mode="create_savepoint" commit to savepoints)."""
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


def transactional_session(connection) -> Session:
    return Session(bind=connection, join_transaction_mode="create_savepoint",
                   expire_on_commit=False)


def one_world_per_module(make_world):
    """Fixtures for a module whose tests share one world, made once by `make_world(session)`:
    making it costs more than most of its tests. Assign them in the module:
    `_module_connection, connection, _world, world = one_world_per_module(make)`.
    `connection`: each test in a savepoint of the module's transaction (the world in it),
    rolled back after the test, so that the test's requests and its session see the world and
    nothing an earlier test did. `world`: the world, its `session` the test's."""

    @pytest.fixture(scope="module", name="_module_connection")
    def module_connection(engine) -> Iterator[Connection]:
        with rolled_back(engine) as conn:
            yield conn

    @pytest.fixture(name="connection")
    def connection(_module_connection) -> Iterator[Connection]:
        savepoint = _module_connection.begin_nested()
        try:
            yield _module_connection
        finally:
            savepoint.rollback()

    @pytest.fixture(scope="module", name="_world")
    def module_world(_module_connection):
        with transactional_session(_module_connection) as session:
            return make_world(session)

    @pytest.fixture(name="world")
    def world(_world, connection, session):
        _world.session = session
        yield _world
        _world.session = None

    return module_connection, connection, module_world, world


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    with rolled_back(engine) as conn:
        yield conn


@pytest.fixture
def session(connection) -> Iterator[Session]:
    """The test's own view of the database, inside the test's transaction."""
    with transactional_session(connection) as s:
        yield s


@dataclass
class _SharedApp:
    app: object
    connection: Connection | None = None


@pytest.fixture(scope="session")
def _shared_app(database_url) -> _SharedApp:
    """One app per test process: FastAPI prepares each route (its dependencies and models) on
    the first request an app gets, which costs more than most tests. Each test's requests go
    to that test's own connection (see `app`)."""
    shared = _SharedApp(app=None)

    def session_factory() -> Session:
        assert shared.connection is not None, "a request outside of a test"
        return transactional_session(shared.connection)

    shared.app = create_app(get_settings(), session_factory=session_factory)
    return shared


@pytest.fixture
def app(_shared_app, connection):
    """The app, its requests inside the test's transaction. What a test changes in app.state
    (a setting, say) is put back afterwards."""
    app = _shared_app.app
    state = dict(app.state._state)
    _shared_app.connection = connection
    yield app
    _shared_app.connection = None
    app.state._state.clear()
    app.state._state.update(state)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    """Starlette's TestClient, its requests run in the test's thread (tests/asgi_client.py)."""
    with InThreadTestClient(app) as c:
        yield c


@dataclass
class SignedIn:
    user: object
    password: str
    headers: dict[str, str]


def sign_in_as(session: Session, role: str, *, organization: str | None = None,
               username: str | None = None, global_admin: bool = False) -> SignedIn:
    """A new user of `role` with a real bearer token, issued by the service the sign-in route
    uses (see `login_as`)."""
    org = factories.make_organization(session, name=organization or f"Org of {role}")
    user, password = factories.make_user(session, role=role, organization=org,
                                         username=username, global_admin=global_admin)
    token, _ = auth_service.issue_token(session, user=user, client="testclient")
    session.commit()
    return SignedIn(user=user, password=password, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def login_as(session):
    """login_as("caseworker", organization="NGO A") -> a user with a real bearer token, issued
    by the service the sign-in route uses. Signing in itself (the route, its password check,
    its audit and throttling) is the subject of tests/auth, which drive the route."""

    def _login(role: str, *, organization: str | None = None, username: str | None = None,
               global_admin: bool = False):
        return sign_in_as(session, role, organization=organization, username=username,
                          global_admin=global_admin)

    return _login
