"""A scratch PostgreSQL database for a benchmark: made, migrated to head, and dropped."""

import uuid


def psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def create_database(pg_server: str) -> str:
    """A new database on the server `pg_server` points at, migrated to head; its URL."""
    from sqlalchemy import create_engine, make_url, text

    from app.migrate import upgrade

    name = f"passage_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(psycopg_url(pg_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def drop_database(url: str, pg_server: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(psycopg_url(pg_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()
