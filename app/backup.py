"""`passage backup FILE` and `passage restore FILE`: the whole database in one file, and back.

PostgreSQL: pg_dump's custom format, taken inside a snapshot that the row counts printed are
read from too; pg_restore in a single transaction, so that a restore either completes or
changes nothing. SQLite: the online backup API (sqlite3.Connection.backup), a consistent copy
taken while the app runs. A backup is written to a temporary file beside FILE and renamed
once complete: a FILE that exists is a whole backup.

A restore goes only into an empty database, unless forced; a forced restore replaces what the
backup holds, and the audit events written since the backup was taken are lost with the rest
(the restore's own audit event says how many there were).
"""

import hashlib
import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, inspect, make_url, select, table, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from app.config import get_settings

log = logging.getLogger("passage.backup")

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
# tables every Passage database has, whatever its revision
REQUIRED_TABLES = ("alembic_version", "audit_events")
RESTORE_LOCK_TIMEOUT_MS = 30_000  # a restore waits this long for the app's locks, then stops


class BackupError(Exception):
    """A backup or restore that cannot be done; the message tells the operator why."""


@dataclass(frozen=True)
class Contents:
    """What a database holds: rows per table, and its schema revision."""

    rows: dict[str, int]
    revision: str | None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def audit_events(self) -> int:
        return self.rows.get("audit_events", 0)

    def describe(self) -> str:
        return (f"{len(self.rows)} tables, {self.total_rows} rows, {self.audit_events} audit "
                f"events, revision {self.revision or 'none'}")


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql")


def backup(url: str, target: Path, *, force: bool = False) -> Contents:
    """Write the database at `url` to `target`; return what the backup holds."""
    with _database_errors():
        return _backup(url, target, force=force)


def restore(url: str, source: Path, *, force: bool = False) -> Contents:
    """Load the backup `source` into the database at `url`; return what it now holds."""
    with _database_errors():
        return _restore(url, source, force=force)


@contextmanager
def _database_errors() -> Iterator[None]:
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BackupError(f"the database could not be used: {reason}") from None


# --- backup ---------------------------------------------------------------------------------

def _backup(url: str, target: Path, *, force: bool) -> Contents:
    target = target.resolve()
    if target.exists() and not force:
        raise BackupError(f"{target} exists; choose another name, or add --force to replace it")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        if is_postgresql(url):
            contents = _dump_postgresql(url, partial)
        else:
            contents = _copy_sqlite(_sqlite_path(url, must_exist=True), partial)
        _sync(partial)
        os.replace(partial, target)
        _sync(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    _record(url, "database.backup", {
        "file": target.name, "bytes": target.stat().st_size, "sha256": _sha256(target),
        "tables": len(contents.rows), "rows": contents.total_rows,
        "audit_events": contents.audit_events, "revision": contents.revision})
    return contents


def _dump_postgresql(url: str, partial: Path) -> Contents:
    from app.db import make_engine

    dsn, env = _libpq(url)
    engine = make_engine(url)
    try:
        # the counts and the dump read one snapshot: what is printed is what the file holds
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            contents = _contents(conn)
            _run([_tool("pg_dump"), "--no-password", "--format=custom", f"--snapshot={snapshot}",
                  f"--file={partial}", f"--dbname={dsn}"], env)
            conn.rollback()
    finally:
        engine.dispose()
    return contents


def _copy_sqlite(source: Path, partial: Path) -> Contents:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)
        # one self-contained file: the copy leaves WAL mode (the app sets it again on restore)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    return _sqlite_contents(partial)


# --- restore --------------------------------------------------------------------------------

def _restore(url: str, source: Path, *, force: bool) -> Contents:
    source = source.resolve()
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    _check_backup(url, source)
    replaced_events = _existing_audit_events(url)
    if replaced_events is not None and not force:
        raise BackupError(
            "the database is not empty; restore into an empty database, or add --force to "
            "replace its contents with the backup (what was written since the backup, the "
            "audit log included, is lost)")
    if is_postgresql(url):
        dsn, env = _libpq(url)
        env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={RESTORE_LOCK_TIMEOUT_MS}"
        clean = ["--clean", "--if-exists"] if replaced_events is not None else []
        _run([_tool("pg_restore"), "--no-password", "--single-transaction", "--exit-on-error",
              "--no-owner", "--no-acl", *clean, f"--dbname={dsn}", str(source)], env)
    else:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(_sqlite_path(url, must_exist=False), timeout=30)
        try:
            src.backup(dst)
        except sqlite3.Error as exc:
            raise BackupError(f"the database could not be replaced ({exc}); stop "
                              "Passage and try again") from None
        finally:
            dst.close()
            src.close()
    contents = database_contents(url)
    _record(url, "database.restore", {
        "file": source.name, "sha256": _sha256(source), "forced": replaced_events is not None,
        "replaced_audit_events": replaced_events or 0, "rows": contents.total_rows,
        "audit_events": contents.audit_events, "revision": contents.revision})
    return contents


def _check_backup(url: str, source: Path) -> None:
    """Refuse a file that is not a backup of a Passage database of the same kind."""
    with source.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    kind = "postgresql" if is_postgresql(url) else "sqlite"
    if head.startswith(PG_MAGIC):
        found = "postgresql"
    elif head == SQLITE_MAGIC:
        found = "sqlite"
    else:
        raise BackupError(f"{source.name} is not a Passage backup (neither a pg_dump archive "
                          "nor a SQLite database)")
    if found != kind:
        raise BackupError(f"{source.name} is a {found} backup; the database is {kind}")
    if kind == "postgresql":
        listing = _run([_tool("pg_restore"), "--list", str(source)], dict(os.environ))
        tables = {line.split()[-2] for line in listing.splitlines()
                  if " TABLE public " in line and not line.startswith(";")}
    else:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{source.name} is damaged (SQLite quick_check failed)")
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source.name} cannot be read: {exc}") from None
        finally:
            conn.close()
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise BackupError(f"{source.name} is not a Passage backup (no {', '.join(missing)})")


def _existing_audit_events(url: str) -> int | None:
    """None when the database is empty (no tables); otherwise its audit events (0 if it has
    no audit log), which a forced restore replaces."""
    if not is_postgresql(url) and not _sqlite_path(url, must_exist=False).exists():
        return None
    from app.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            if not names:
                return None
            if "audit_events" not in names:
                return 0
            return conn.execute(select(func.count()).select_from(table("audit_events"))
                                ).scalar_one()
    finally:
        engine.dispose()


# --- what a database holds ------------------------------------------------------------------

def database_contents(url: str) -> Contents:
    from app.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return _contents(conn)
    finally:
        engine.dispose()


def _contents(conn: Connection) -> Contents:
    names = sorted(inspect(conn).get_table_names())
    rows = {name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in names}
    revision = None
    if "alembic_version" in rows:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return Contents(rows=rows, revision=revision)


def _sqlite_contents(path: Path) -> Contents:
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            return _contents(conn)
    finally:
        engine.dispose()


# --- helpers --------------------------------------------------------------------------------

def _record(url: str, action: str, detail: dict) -> None:
    """The backup or restore in the database's own audit log."""
    from sqlmodel import Session

    from app import audit
    from app.db import make_engine

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            audit.record(session, actor=audit.Actor.system(action.split(".")[-1]),
                         action=action, entity_type="database", detail=detail)
            session.commit()
    except SQLAlchemyError as exc:
        # the backup or restore itself is done and sound; say that its record is missing
        log.warning("%s done, but its audit event could not be written (%s)", action,
                    type(exc).__name__)
    finally:
        engine.dispose()


def _sqlite_path(url: str, *, must_exist: bool) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database must be a file")
    path = Path(database).resolve()
    if must_exist and not path.is_file():
        raise BackupError(f"there is no database at {path}")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    return path


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The connection for pg_dump and pg_restore: the password goes in the environment, not
    on the command line, where any user of the machine could read it."""
    parsed = make_url(url)
    dsn = parsed.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    env = {**os.environ,
           "PGCONNECT_TIMEOUT": str(get_settings().database_connect_timeout)}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return dsn, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found; install PostgreSQL's client programs "
                          "(Debian: apt-get install postgresql-client)")
    return path


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603 (our own arguments, no shell)
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        name = Path(command[0]).name
        raise BackupError(f"{name} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
