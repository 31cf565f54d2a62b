from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

import app.models  # noqa: F401  (registers every table)
from app.config import get_settings
from app.db import POSTGRESQL_ONLY_INDEXES, Timeouts, engine_for, metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    # indexes only the migrations make, on PostgreSQL (app.db.POSTGRESQL_ONLY_INDEXES)
    return not (type_ == "index" and name in POSTGRESQL_ONLY_INDEXES)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True,
                      render_as_batch=_url().startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    # no statement timeout: a migration of a large table may rightly take minutes
    with engine_for(_url(), Timeouts(statement=0)).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it into a new one and dropping the old, which
            # the foreign keys of every table referring to it refuse while they are enforced
            # (and the pragma does nothing inside a transaction: set before it begins). The
            # references are checked once the migrations are done. On the DBAPI connection
            # itself: SQLAlchemy's would begin the transaction first (app.db's BEGIN IMMEDIATE).
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left {len(broken)} broken references "
                                       f"(first in table {broken[0][0]})")
        if sqlite:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
