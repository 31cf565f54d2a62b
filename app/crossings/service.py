"""Crossings: recording one and listing them (who may read which: app.crossings.access)."""

from datetime import UTC

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.clock import local_today
from app.compounds.models import Compound
from app.crossings import rollup
from app.crossings.filters import CrossingFilters
from app.crossings.models import Crossing
from app.crossings.schemas import CrossingCreate
from app.db import MAX_DATABASE_INT
from app.errors import Conflict, InvalidInput, field_error
from app.i18n import _
from app.nationalities.models import Nationality
from app.pagination import PageParams, paginate
from app.people import identity
from app.people import service as people_service
from app.people.models import Person
from app.people.schemas import PersonCreate


def compound_ids_by_name(session: Session) -> dict[str, int]:
    """Lower-cased compound name -> id: a roster names compounds, in any case."""
    return {name.casefold(): cid for cid, name in session.exec(select(Compound.id, Compound.name))}


def recorded_name(session: Session, *, actor: Actor, crossing_id: int) -> str | None:
    """The name of the person of a crossing the actor may see, for the quick form's "Crossing
    of ... recorded"; None for any other."""
    if not 0 < crossing_id <= MAX_DATABASE_INT:
        return None
    row = session.exec(
        select(Person.given_name, Person.family_name)
        .join(Crossing, Crossing.person_id == Person.id)
        .where(Crossing.id == crossing_id, access.visible(actor, Crossing))).first()
    return None if row is None else " ".join(part for part in row if part)


def create_crossing(session: Session, *, actor: Actor, crossing_in: CrossingCreate,
                    lock_timeout: float) -> Crossing:
    """Record one crossing, of a person the actor may see (`person_id`) or of one described
    inline: matched with the people the actor's organisation has on record, else registered
    as typed (app.people.identity: a match with another organisation's record only links the
    two). Nothing in the answer says whether Passage knew the person."""
    if crossing_in.compound_id is not None and session.get(
            Compound, crossing_in.compound_id) is None:
        raise field_error("compound_id", _("No such compound"))
    if crossing_in.person_id is not None:
        # a merged record's id stands for the record it was merged into (access: forward)
        person_id = access.get_visible(session, actor, Person, crossing_in.person_id,
                                       action="crossing.create").id
    else:
        person_id = _person_of_inline(session, actor=actor, person_in=crossing_in.person,
                                      lock_timeout=lock_timeout)
    crossing = Crossing(
        person_id=person_id, crossed_at=crossing_in.crossed_at.astimezone(UTC),
        crossing_point=" ".join(crossing_in.crossing_point.split()),
        compound_id=crossing_in.compound_id, group_reference=crossing_in.group_reference,
        direction=crossing_in.direction.value,
        recorded_by_organization_id=actor.organization_id, created_by_id=actor.user_id)
    with rollup.kept(session, [person_id]):
        if session.exec(select(func.count()).select_from(Crossing).where(
                Crossing.person_id == person_id, Crossing.crossed_at == crossing.crossed_at,
                Crossing.crossing_point == crossing.crossing_point)).one():
            raise Conflict(_("This crossing is already recorded: same person, time and "
                             "crossing point"))
        try:
            with session.begin_nested():
                session.add(crossing)
                session.flush()
        except IntegrityError:
            raise Conflict(_("This crossing was recorded at the same moment by someone "
                             "else")) from None
    audit.record(session, actor=actor, action="crossing.create", entity_type="crossing",
                 entity_id=crossing.id, detail={"person_id": person_id,
                                                "direction": crossing.direction})
    return crossing


def insert_exit(session: Session, *, actor: Actor, person_id: int, crossed_at,
                crossing_point: str, group_reference: str | None = None) -> Crossing:
    """An exit crossing of a person the caller has already checked (a batch's member leaving
    the country, app.repatriation); audited as every crossing. Ticked on a departure list, it
    opens nothing of the person's record to its recorder (from_departure_list)."""
    crossing = Crossing(person_id=person_id, crossed_at=crossed_at.astimezone(UTC),
                        crossing_point=" ".join(crossing_point.split()),
                        group_reference=group_reference, direction="exit",
                        from_departure_list=True,
                        recorded_by_organization_id=actor.organization_id,
                        created_by_id=actor.user_id)
    with rollup.kept(session, [person_id]):
        session.add(crossing)
    audit.record(session, actor=actor, action="crossing.create", entity_type="crossing",
                 entity_id=crossing.id, detail={"person_id": person_id, "direction": "exit"})
    return crossing


def _person_of_inline(session: Session, *, actor: Actor, person_in: PersonCreate,
                      lock_timeout: float) -> int:
    if person_in.nationality_code and session.get(
            Nationality, person_in.nationality_code) is None:
        raise InvalidInput([{"loc": ["body", "person", "nationality_code"],
                             "msg": _("Not an ISO 3166-1 alpha-2 country code"),
                             "type": "value_error"}])
    person_identity = identity.Identity.of(person_in)
    identity.lock_identities(session, [person_identity], timeout_seconds=lock_timeout)
    match = identity.match_people(session, actor=actor, identities=[person_identity],
                                  today=local_today())[0]
    if match.own is not None:
        return match.own
    person = people_service.create_person(session, actor=actor, person_in=person_in)
    if match.other is not None:
        identity.record_link(session, actor=actor, person_id=match.other, via="crossing",
                             own_person_id=person.id)
    return person.id


def list_crossings(session: Session, *, actor: Actor, filters: CrossingFilters,
                   page: PageParams,
                   person_id: int | None = None) -> tuple[list[tuple[Crossing, Person]], int]:
    """The crossings actor may read, latest first, each with its person; audited by ids."""
    statement = (
        select(Crossing, Person).join(Person, Person.id == Crossing.person_id)
        .where(access.visible(actor, Crossing), *filters.crossing_conditions(),
               *filters.person_conditions())
        .order_by(Crossing.crossed_at.desc(), Crossing.id.desc())
    )
    if person_id is not None:
        statement = statement.where(
            Crossing.person_id == access.standing_for(session, Person, person_id))
    rows, total = paginate(session, statement, page)
    audit.record(session, actor=actor, action="crossing.list", entity_type="crossing",
                 detail={"count": len(rows), "total": total,
                         "ids": [c.id for c, _ in rows],
                         "person_ids": sorted({p.id for _, p in rows})})
    return [(c, p) for c, p in rows], total


def crossing_points(session: Session, *, actor: Actor) -> list[str]:
    """The crossing points recorded in actor's scope, for filters and the form's suggestions."""
    return list(session.exec(
        select(Crossing.crossing_point).where(access.visible(actor, Crossing))
        .group_by(Crossing.crossing_point).order_by(Crossing.crossing_point)
    ).all())

