"""Each completed month's publication, stored once and read from then on.

Roles without exact counts read counts beyond crossings one completed month at a time, each
as recorded by its end (app.reports.disclosure). Such a month's table is made once: the first
reading of the month suppresses it (app.reports.publication, app.reports.pipeline) and stores
the published cells here (PublishedMonth); every later reading, by any role, page, API answer
or export, returns the stored cells. So a month's table is the same from its first
publication on, against anything recorded or corrected afterwards (a person's nationality or
sex, a merge), and the suppression, about a second of CPU a month, runs once a month instead
of on every request.

A publication is keyed by what it publishes (`kind`: "cases" for the outcome counts and the
statistics export, "pipeline"), its month, the suppression threshold it was published at (a
threshold changed in the settings publishes every month anew, at the new threshold) and the
layout of its cells (LAYOUTS: bumped when the columns change, so that an old layout is never
read as a new one; the months are then published anew).

Two first readers of a month at once: each makes the table, both insert it with INSERT ... ON
CONFLICT DO NOTHING, and both then read back the row that was stored first, so they answer
the same. The insert is in the request's unit of work (its session): on PostgreSQL a second
insert of the same key waits for the first's transaction and then does nothing; on SQLite the
write lock serialises them. The current month is never stored: it has not ended."""

from collections.abc import Callable, Sequence

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from app.clock import utcnow
from app.reports.disclosure import Month
from app.reports.models import PublishedMonth
from app.reports.reading import SessionReader

# kind → the layout of its cells now
LAYOUTS = {"cases": 1, "pipeline": 2}  # pipeline 2: audited as a system (pipeline_audit)

Cells = dict


def read(session: Session, reader, *, kind: str, months: Sequence[Month], threshold: int,
         publish: Callable[[Month], Cells]) -> list[Cells]:
    """The stored cells of each month (in the order given), publishing those not stored yet
    with `publish(month)` and storing them in the session's transaction (flushed, committed
    with it). `reader`: what the stored rows are looked up with (anything with `execute`: the
    session, or an export's reader); the rows stored here are read back through the session,
    which sees the row another reader stored first."""
    layout = LAYOUTS[kind]
    keys = [month.key for month in months]
    stored = _stored(reader, kind=kind, keys=keys, threshold=threshold, layout=layout)
    missing = [month for month in months if month.key not in stored]
    if missing:
        now = utcnow()
        unfinished = [month.key for month in missing if month.counted_before > now]
        if unfinished:
            raise ValueError(f"a month is published once it has ended: {unfinished}")
        rows = [{"kind": kind, "month": month.key, "threshold": threshold, "layout": layout,
                 "cells": publish(month), "published_at": now} for month in missing]
        session.exec(_insert_new(session, rows))  # type: ignore[call-overload]
        stored |= _stored(SessionReader(session), kind=kind, keys=[m.key for m in missing],
                          threshold=threshold, layout=layout)
    return [stored[key] for key in keys]


def _stored(reader, *, kind: str, keys: list[str], threshold: int, layout: int
            ) -> dict[str, Cells]:
    if not keys:
        return {}
    p = PublishedMonth
    found = reader.execute(select(p.month, p.cells).where(
        p.kind == kind, p.threshold == threshold, p.layout == layout, p.month.in_(keys)))
    return dict(found.all())


def _insert_new(session: Session, rows: list[dict]):
    """INSERT ... ON CONFLICT DO NOTHING, in the database's own words."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(PublishedMonth).values(rows).on_conflict_do_nothing(
        index_elements=["kind", "month", "threshold", "layout"])
