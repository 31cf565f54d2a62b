"""Whether the database answers: the /healthz probe, and what counts as "the database is
unavailable" (answered 503 with Retry-After, never 500)."""

import asyncio
import logging
import sqlite3
import threading
from concurrent.futures import Future

import psycopg
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from app.db import SessionFactory

log = logging.getLogger("passage.health")

# A connection refused or lost, a connect or statement timeout, a lock not granted in time,
# SQLite's "database is locked" after the busy timeout, no free connection in the pool.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError, sa_exc.TimeoutError, psycopg.OperationalError,
    sqlite3.OperationalError,
)


def unavailable_reason(exc: BaseException) -> str:
    """A name for the log: the error's class, never its text (which may quote a statement)."""
    orig = getattr(exc, "orig", None)
    return type(orig).__name__ if orig is not None else type(exc).__name__


class DatabaseProbe:
    """`SELECT 1` with a hard deadline. The query runs in a thread of its own and the caller
    waits at most `timeout` seconds; a probe still running is shared by the next callers, so
    a database that never answers holds one thread, not one per request."""

    def __init__(self, session_factory: SessionFactory, timeout: float):
        self._session_factory = session_factory
        self._timeout = timeout
        self._lock = threading.Lock()
        self._running: Future | None = None

    def _probe(self, future: Future) -> None:
        try:
            with self._session_factory() as session:
                # a reader: on SQLite, a long write elsewhere must not make the probe wait
                connection = session.connection(execution_options={"passage_read_only": True})
                connection.execute(text("SELECT 1")).one()
        except Exception as exc:
            log.warning("health check: the database did not answer (%s)",
                        unavailable_reason(exc))
            future.set_result(False)
        else:
            future.set_result(True)

    def _start(self) -> Future:
        with self._lock:
            if self._running is None or self._running.done():
                self._running = Future()
                threading.Thread(target=self._probe, args=(self._running,), daemon=True,
                                 name="passage-health-probe").start()
            return self._running

    async def answers(self) -> bool:
        future = asyncio.wrap_future(self._start())
        try:
            return await asyncio.wait_for(asyncio.shield(future), self._timeout)
        except TimeoutError:
            log.warning("health check: no answer from the database within %.1f s",
                        self._timeout)
            return False
