"""Engine, metadata naming convention and the unit of work of a request."""

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Engine, MetaData, event
from sqlmodel import Field, Session, SQLModel, create_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


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


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and transactional DDL; hand the
    # transaction control to SQLAlchemy (the recipe from SQLAlchemy's SQLite dialect docs).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
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


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False},
                               hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # hide_parameters: SQL errors must not carry personal values into logs
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                         hide_parameters=True)


@lru_cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


SessionFactory = Callable[[], Session]


def session_factory_for(engine: Engine) -> SessionFactory:
    return lambda: Session(engine, expire_on_commit=False)


def new_session() -> Session:
    """A session on the configured database, for the command line."""
    import app.models  # noqa: F401  (every table known before the first query)
    from app.config import get_settings

    return session_factory_for(engine_for(get_settings().database_url))()


def session_scope(factory: SessionFactory) -> Iterator[Session]:
    with factory() as session:
        yield session
