"""An export as it leaves Passage: a body streamed from a generator, and the audit event that
says what left.

Three rules make a broken export impossible to mistake for a whole one:
- The first chunk is made in the route, before any byte is sent: the query runs there, and an
  error in it is answered as the error it is (422, 503), not as a 200 cut short.
- The audit event is written and committed before the last chunk leaves: a file is whole only
  once its export is on record. On SQLite no write transaction is held open while a long
  file streams to a slow client (export reads are plain WAL readers).
- A body that fails after it began is cut short: no final chunk, so the client's HTTP library
  reports an error; a CSV gets a last line that says it is incomplete, for anyone who opens
  what was saved anyway. The export is recorded with "complete": false, committed on its
  own (app.reports.reading.record_when_done), as the request's unit of work is rolled back.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.responses import StreamingResponse

log = logging.getLogger("passage.reports")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# one field that no header of ours has; a CSV reader sees a row of the wrong width
INCOMPLETE_CSV_LINE = (b"!!! PASSAGE EXPORT INCOMPLETE: an error stopped this export part way. "
                       b"The rows above are not all the rows; do not use this file. "
                       b"Export again.\r\n")


class ExportInterrupted(Exception):
    """An export that failed after its first bytes had left; the response is cut short."""


class RowCounter:
    """Counts the rows as a writer takes them."""

    def __init__(self, rows: Iterable):
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator:
        for row in self._rows:
            self.count += 1
            yield row


def audited(chunks: Iterable[bytes], *, rows: Callable[[], int],
            on_done: Callable[[int, bool], None]) -> Iterator[bytes]:
    """Yield the body, holding back its last chunk until on_done(rows, True) has put the export
    on record; when the body ends early (an error, or the client went away), on_done(rows,
    False)."""
    complete = False
    try:
        held: bytes | None = None
        for chunk in chunks:
            if held is not None:
                yield held
            held = chunk
        on_done(rows(), True)
        complete = True
        if held is not None:
            yield held
    finally:
        if not complete:
            # keep what left Passage on record, but do not hide the first error
            try:
                on_done(rows(), False)
            except Exception:
                log.exception("could not record an interrupted export")


@dataclass
class Export:
    filename: str
    media_type: str
    body: Iterator[bytes]
    headers: dict[str, str] = field(default_factory=dict)
    rows: int | None = None  # known before streaming for some exports
    detail: dict[str, Any] = field(default_factory=dict)
    close: Callable[[], None] | None = None  # releases what the body reads from, once sent


class ExportResponse(StreamingResponse):
    """A StreamingResponse whose first chunk is made when it is created (in the route), which
    always closes its generator (so that its audit step runs even when the client goes away
    half way), and which cuts the response short when the body fails after it began."""

    def __init__(self, export: Export, status_code: int = 200):
        self._source = export.body
        self._release = export.close
        try:
            first = next(self._source, None)
        except BaseException:
            if self._release is not None:
                self._release()
            raise
        marker = INCOMPLETE_CSV_LINE if export.media_type == CSV_TYPE else b""
        headers = {"Content-Disposition": f'attachment; filename="{export.filename}"',
                   **export.headers}
        super().__init__(iterate_in_threadpool(_resumed(first, self._source, marker)),
                         status_code=status_code, media_type=export.media_type,
                         headers=headers)

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except ClientDisconnect:
            log.info("client left during an export")
        except Exception as exc:
            # The status line has gone; all that is left is to not end the body cleanly.
            log.error("an export failed after it began (%s); the response is cut short",
                      type(exc).__name__)
            raise ExportInterrupted("the export failed after it began") from exc
        finally:
            with anyio.CancelScope(shield=True):
                close = getattr(self._source, "close", None)
                if close is not None:
                    await run_in_threadpool(close)
                if self._release is not None:
                    await run_in_threadpool(self._release)


def _resumed(first: bytes | None, rest: Iterator[bytes], marker: bytes) -> Iterator[bytes]:
    if first is None:
        return
    yield first
    try:
        yield from rest
    except Exception:
        if marker:
            yield marker
        raise
