"""How an export reads: on a connection of its own, as a plain reader.

On SQLite every write transaction takes the database's one write lock, so an export must
neither write before its body has been sent nor read inside a write transaction: its reads go
through a connection marked `passage_read_only` (app.db then begins it as a WAL reader), and
its audit event is written after the body ends, once that connection is closed. Other people's
writes go on while a long file streams to a slow client."""

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from app import audit
from app.audit.service import Actor

YIELD_PER = 1000


class Reader:
    """The export's reads. On a connection of its own when the session has an engine (the
    app); on the session's connection when it is bound to one (the tests' transaction)."""

    def __init__(self, session: Session):
        bind = session.get_bind()
        self._own = isinstance(bind, Engine)
        self._connection: Connection | None = (
            bind.connect().execution_options(passage_read_only=True) if self._own
            else session.connection())

    def execute(self, statement):
        return self._connection.execute(statement)

    def stream(self, statement):
        """Rows in batches: Core rows, without the ORM's per-row work, on a server-side
        cursor where the database has one."""
        return self._connection.execute(statement.execution_options(yield_per=YIELD_PER))

    def close(self) -> None:
        if self._own and self._connection is not None:
            self._connection.close()  # ends the read transaction
        self._connection = None


class SessionReader:
    """A request's session read as a Reader is (`execute`), through sqlmodel's `exec`."""

    def __init__(self, session: Session):
        self.session = session

    def execute(self, statement):
        return self.session.exec(statement)


def record_when_done(session: Session, reader: Reader, *, actor: Actor, action: str,
                     detail: dict, entity_type: str = "report"):
    """The export's on_done: close the reads, then write the audit event with the rows read,
    and commit it at once (app.reports.streaming calls it before the last chunk leaves). When
    the export broke off, the request's unit of work is rolled back first (it may be a failed
    transaction, and it is rolled back again when the error leaves the route) and the event
    is kept all the same."""

    def done(rows: int, complete: bool) -> None:
        reader.close()  # first: on SQLite the event's write must not wait for our own read
        if not complete:
            session.rollback()
        audit.record(session, actor=actor, action=action, entity_type=entity_type,
                     detail={**detail, "rows": rows, "complete": complete})
        session.commit()

    return done
