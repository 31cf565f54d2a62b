"""Engine, metadata naming convention and the unit of work of a request."""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, MetaData, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Field, Session, SQLModel, create_engine

from app.clock import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

# Indexes the migrations make on PostgreSQL alone, which no model declares (a trigram GIN index
# has no SQLite form; an index on an expression is not compared by Alembic): the comparison
# of models and database leaves them out (migrations/env.py).
POSTGRESQL_ONLY_INDEXES = frozenset({
    "ix_people_name_key_trgm", "ix_people_name_key_latin_trgm",
    "ix_audit_events_actor_name_at"})

# INTEGER columns hold up to this on PostgreSQL (more on SQLite): no id is larger, and a
# number beyond it cannot be stored
MAX_DATABASE_INT = 2**31 - 1


class Timestamped(SQLModel):
    """created_at / updated_at for every table that changes."""

    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow, nullable=False, sa_column_kwargs={"onupdate": utcnow}
    )


class _NoRowEcho(logging.Filter):
    """SQLAlchemy's DEBUG echo prints every row it reads (names, narratives); an operator who
    turns on DEBUG to chase a problem must not write people's data to the log. SQL statements
    stay at INFO, their parameters hidden (hide_parameters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoRowEcho())


@dataclass(frozen=True)
class Timeouts:
    """How long a request waits on the database, in seconds, and how many connections a
    process keeps (the PASSAGE_DATABASE_* settings). statement=0 means no statement timeout
    (migrations)."""

    connect: int = 5
    statement: float = 30
    pool: float = 10
    sqlite_busy: float = 15
    pool_size: int = 20

    @classmethod
    def of(cls, settings) -> "Timeouts":
        return cls(connect=settings.database_connect_timeout,
                   statement=settings.database_statement_timeout,
                   pool=settings.database_pool_timeout,
                   sqlite_busy=settings.sqlite_busy_timeout,
                   pool_size=settings.database_pool_size)


# Pool and threads. A request holds at most one connection at a time (the user is looked up
# in a short unit of work that ends before the request's own begins), but it holds its own
# until FastAPI commits, after the route's answer is made, and making the answer of a sync
# route takes a worker thread again. With more requests at work than connections, every
# thread could be waiting for a connection held by a request waiting for a thread, until the
# pool timed out: the 500s and 30-second queues of fifty clients. So a process lets in at
# most `pool_size` requests at once (app.limits.DatabaseAdmission; the others wait at the
# door, holding nothing, and get 503 with Retry-After after the pool timeout), keeps
# `pool_size` connections and runs `pool_size` worker threads (app.main; anyio's default of
# 40 would only add threads with nothing to do). The overflow is for connections held
# outside an admitted request: the health probe, the form shown again or the refusal audited
# after a request's own unit of work.
POOL_OVERFLOW = 5


def _configure_sqlite(engine: Engine, timeouts: Timeouts) -> None:
    busy_ms = int(timeouts.sqlite_busy * 1000)

    # pysqlite's own transaction handling breaks SAVEPOINT and transactional DDL; hand the
    # transaction control to SQLAlchemy (the recipe from SQLAlchemy's SQLite dialect docs).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
    # writes fails at once with "database is locked" when another writer holds the lock,
    # whereas IMMEDIATE waits for busy_timeout. SQLite serves one office; writes are short.
    # A long export's read (execution option passage_read_only) stays a plain WAL reader and
    # never takes the write lock.
    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get("passage_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class ConnectGate:
    """While the database is known to be unreachable, one attempt to connect at a time; the
    others fail at once. Without it, every request waits out the connect timeout on a server
    that never answers, and a few dozen of them hold every worker thread, so that even pages
    that need no database stop answering. The first attempt that succeeds opens the gate."""

    def __init__(self, unavailable: Callable[[str], Exception]):
        self._unavailable = unavailable
        self._lock = threading.Lock()
        self._down = False
        self._probing = False

    def connect(self, open_connection: Callable[[], Any]) -> Any:
        with self._lock:
            if self._down and self._probing:
                raise self._unavailable(
                    "the database did not answer the last attempt to connect; another "
                    "attempt is under way")
            probing = self._down  # this attempt is the one that finds out
            if probing:
                self._probing = True
        try:
            connection = open_connection()
        except Exception:
            with self._lock:
                self._down = True
                if probing:
                    self._probing = False
            raise
        with self._lock:
            self._down = False
            if probing:
                self._probing = False
        return connection


# A pooled connection that has been idle this long is pinged before it is used (SQLAlchemy's
# pool_pre_ping pinged before every use: a round trip and a sixth of the user lookup's time on
# a busy server, for connections used a few milliseconds earlier). A connection that dies while
# in use, or within this time, fails its statement: SQLAlchemy then discards it and every
# connection the pool made before it (a restart of the server ends them all), the request
# answers 503 with Retry-After, and the next ones connect afresh (tests/test_health.py).
PING_AFTER_IDLE = 5.0  # seconds
# Connections are renewed after this long whatever their use (a server or proxy that ends old
# connections, memory a backend holds).
POOL_RECYCLE = 1800  # seconds


def _guard_postgresql(engine: Engine) -> None:
    gate = ConnectGate(engine.dialect.loaded_dbapi.OperationalError)

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, _record, cargs, cparams):
        return gate.connect(lambda: dialect.connect(*cargs, **cparams))

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record):
        record.info["passage_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("passage_idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # the pool discards this connection and checks out another (a new one)
            raise DisconnectionError("the pooled connection no longer answers") from exc


def make_engine(url: str, timeouts: Timeouts = Timeouts()) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False},
                               pool_size=timeouts.pool_size, max_overflow=POOL_OVERFLOW,
                               pool_timeout=timeouts.pool, hide_parameters=True)
        _configure_sqlite(engine, timeouts)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # No JIT: PostgreSQL compiles a plan's expressions to machine code when its estimated cost
    # passes jit_above_cost, and pays the compilation (100 ms and more) at every execution. A
    # request's statements run for milliseconds; the generic plan of a prepared people search
    # at a million people was estimated past that bound, and each search then spent 115 ms of
    # its 230 compiling (EXPLAIN ANALYZE, "JIT: Timing").
    settings = ["-c jit=off"]
    if timeouts.statement:
        # PostgreSQL ends a statement that runs longer (the request then answers 503)
        settings.append(f"-c statement_timeout={int(timeouts.statement * 1000)}")
    options = make_url(url).query.get("options", "")
    connect_args: dict[str, Any] = {"connect_timeout": timeouts.connect,
                                    "options": " ".join([options, *settings]).strip()}
    # hide_parameters: SQL errors must not carry personal values into logs
    engine = create_engine(url, pool_recycle=POOL_RECYCLE, pool_size=timeouts.pool_size,
                           max_overflow=POOL_OVERFLOW, pool_timeout=timeouts.pool,
                           connect_args=connect_args, hide_parameters=True)
    _guard_postgresql(engine)
    return engine


@lru_cache
def engine_for(url: str, timeouts: Timeouts = Timeouts()) -> Engine:
    return make_engine(url, timeouts)


SessionFactory = Callable[[], Session]


def session_factory_for(engine: Engine) -> SessionFactory:
    return lambda: Session(engine, expire_on_commit=False)


def session_scope(factory: SessionFactory) -> Iterator[Session]:
    with factory() as session:
        yield session
