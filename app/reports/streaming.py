"""An export as it leaves Passage: a body streamed from a generator, and the audit event that
says what left.

The audit event is written when the body has been produced (or the client went away), with the
exact number of rows, in the request's unit of work: export routes take StreamingSessionDep,
whose commit comes right after the last byte. Nothing is written before the body ends, so on
SQLite no write transaction is held open while a long file streams to a slow client.
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
    """Yield the body; when it ends (in full, or cut short) call on_done(rows, complete)."""
    complete = False
    try:
        yield from chunks
        complete = True
    finally:
        if complete:
            on_done(rows(), True)
        else:
            # cut short: keep what left Passage on record, but do not hide the first error
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
    """A StreamingResponse that always closes its generator, so that its audit step runs even
    when the client goes away half way."""

    def __init__(self, export: Export, status_code: int = 200):
        self._source = export.body
        self._release = export.close
        headers = {"Content-Disposition": f'attachment; filename="{export.filename}"',
                   **export.headers}
        super().__init__(iterate_in_threadpool(self._source), status_code=status_code,
                         media_type=export.media_type, headers=headers)

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except ClientDisconnect:
            log.info("client left during an export")
        finally:
            with anyio.CancelScope(shield=True):
                close = getattr(self._source, "close", None)
                if close is not None:
                    await run_in_threadpool(close)
                if self._release is not None:
                    await run_in_threadpool(self._release)
