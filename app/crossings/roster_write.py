"""Writing a planned roster in the caller's transaction with bulk inserts: a handful of
statements for 20,000 rows."""

import json
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql as pgsql
from sqlalchemy import JSON, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.audit.service import Actor
from app.crossings import rollup
from app.crossings.models import Crossing
from app.crossings.roster_matching import ImportPlan
from app.crossings.roster_rows import Progress, RosterRow
from app.db import utcnow
from app.errors import Conflict
from app.i18n import _
from app.people import identity
from app.people import service as people_service
from app.people.models import IdentityLink, Person

WRITE_BATCH = 2000


def write_plan(session: Session, *, actor: Actor, plan: ImportPlan, progress: Progress) -> None:
    """Register the plan's new people, link those another organisation has on record, and
    record the new crossings."""
    people, known, created = plan.people, plan.known, plan.created
    new_crossings = plan.new_crossings
    now = utcnow()
    ids = list(known)
    links_total = sum(1 for i in created if plan.others[i] is not None)
    writer = BulkWriter(session, progress=progress,
                        total=len(created) + links_total + len(new_crossings))
    try:
        # the people already on record whose crossings change (the new ones had none)
        keeper = rollup.Keeper(session, {known[i] for i, _ in new_crossings
                                         if known[i] is not None})
        new_ids = writer.insert(Person.__table__, [
            _person_values(people[i], actor=actor, now=now) for i in created], returning_ids=True)
        for index, new_id in zip(created, new_ids, strict=True):
            ids[index] = new_id
        links = [(plan.others[i], ids[i]) for i in created if plan.others[i] is not None]
        writer.insert(IdentityLink.__table__,
                      identity.link_rows(actor=actor, links=links, via="roster", now=now))
        writer.insert(Crossing.__table__, [
            {"person_id": ids[person_index], "crossed_at": row.crossed_at,
             "crossing_point": row.crossing_point, "compound_id": row.compound_id,
             "group_reference": row.group_reference, "direction": row.direction,
             "recorded_by_organization_id": actor.organization_id,
             "created_by_id": actor.user_id, "created_at": now, "updated_at": now}
            for person_index, row in new_crossings])
        keeper.include(new_ids)
        keeper.finish()
    except (IntegrityError, psycopg.IntegrityError):
        raise Conflict(_("Another import recorded some of these crossings at the same moment; "
                       "import the roster again: what is already recorded is skipped")) from None


class BulkWriter:
    """Inserts many rows in the session's transaction: COPY on PostgreSQL (ids reserved from
    the table's sequence first), batched multi-row INSERT ... RETURNING on SQLite."""

    def __init__(self, session: Session, *, progress: Progress, total: int):
        self.session = session
        self.progress = progress
        self.total = total
        self.done = 0
        self.postgresql = session.get_bind().dialect.name == "postgresql"

    def advance(self, count: int) -> None:
        self.done += count
        self.progress("Writing", self.done, self.total)

    def insert(self, table, rows: list[dict[str, Any]], *,
               returning_ids: bool = False) -> list[int]:
        if not rows:
            return []
        if self.postgresql:
            return self._copy(table, rows, returning_ids=returning_ids)
        ids: list[int] = []
        for start in range(0, len(rows), WRITE_BATCH):
            batch = rows[start:start + WRITE_BATCH]
            statement = insert(table)
            if returning_ids:
                statement = statement.returning(table.c.id, sort_by_parameter_order=True)
                ids.extend(new_id for (new_id,) in self.session.execute(statement, batch))
            else:
                self.session.execute(statement, batch)
            self.advance(len(batch))
        return ids

    def _copy(self, table, rows: list[dict[str, Any]], *, returning_ids: bool) -> list[int]:
        columns = list(rows[0])
        ids: list[int] = []
        if returning_ids:
            ids = list(self.session.execute(
                text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                     "FROM generate_series(1, :n)"),
                {"table": table.name, "n": len(rows)}).scalars())
            columns = ["id", *columns]
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        statement = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
            pgsql.Identifier(table.name),
            pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns))
        dbapi_connection = self.session.connection().connection.dbapi_connection
        with dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for index, row in enumerate(rows):
                values = [row[c] if c != "id" else ids[index] for c in columns]
                if json_columns:
                    values = [json.dumps(v) if c in json_columns else v
                              for c, v in zip(columns, values, strict=True)]
                copy.write_row(values)
                if (index + 1) % WRITE_BATCH == 0:
                    self.advance(WRITE_BATCH)
        self.advance(len(rows) % WRITE_BATCH)
        return ids


def _person_values(row: RosterRow, *, actor: Actor, now: datetime) -> dict[str, Any]:
    identity = row.identity
    return {
        "given_name": row.given_name, "family_name": row.family_name,
        "name_key": identity.name_key, "given_name_latin": row.given_name_latin,
        "family_name_latin": row.family_name_latin,
        "name_key_latin": people_service.latin_key(row.given_name, row.family_name,
                                                   row.given_name_latin, row.family_name_latin),
        "sex": row.sex, "date_of_birth": identity.date_of_birth,
        "age_estimate": identity.age_estimate, "nationality_code": identity.nationality_code,
        "document_number": identity.document_number, "phone": None, "languages": [],
        "registered_by_organization_id": actor.organization_id,
        "created_by_id": actor.user_id, "created_at": now, "updated_at": now,
    }
