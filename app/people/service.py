"""People: registration and reading (who may see whom: app.people.access; whether an identity
is someone already on record: app.people.identity)."""

import unicodedata

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.crossings.filters import CrossingFilters
from app.crossings.models import Crossing
from app.errors import PermissionDenied, field_error
from app.i18n import _
from app.nationalities.models import Nationality
from app.pagination import PageParams, paginate
from app.people.latin import transliterate
from app.people.models import Person
from app.people.schemas import PersonCreate, PersonUpdate

# Values per batched lookup: well under SQLite's limit of bind parameters.
LOOKUP_BATCH = 900


NAME_KEY_LENGTH = 400


def name_key(given_name: str, family_name: str) -> str:
    """Lower-case, accent-free, single-spaced "given family": what searches compare."""
    text = f"{given_name} {family_name}"
    decomposed = unicodedata.normalize("NFKD", text)
    # strip combining accents of Latin letters only; other scripts keep their marks
    stripped = "".join(ch for ch in decomposed if not (unicodedata.combining(ch) and ch < "\u0370"))
    key = " ".join(unicodedata.normalize("NFC", stripped).casefold().split())
    return key[:NAME_KEY_LENGTH]  # two 200-character names and a space would not fit


def latin_key(given_name: str, family_name: str, given_name_latin: str = "",
              family_name_latin: str = "") -> str:
    """name_key of the names in Latin letters: the Latin forms recorded, else the names
    transliterated where they are not in Latin letters; empty when the names are all Latin
    and no other form is recorded (name_key says it all)."""
    if given_name_latin or family_name_latin:
        return name_key(given_name_latin, family_name_latin)
    given, family = transliterate(given_name), transliterate(family_name)
    if not (given or family):
        return ""
    return name_key(given or given_name, family or family_name)


def normalize_document_number(value: str | None) -> str | None:
    """Upper case without spaces: "p 1234 567" and "P1234567" are the same passport."""
    if value is None:
        return None
    value = "".join(value.split()).upper()
    return value or None


def check_nationality(session: Session, code: str | None, *, field: str = "nationality_code"):
    if code is not None and session.get(Nationality, code) is None:
        raise field_error(field, _("Not an ISO 3166-1 alpha-2 country code"))


def person_values(person_in: PersonCreate, *, actor: Actor) -> dict:
    """The column values of a new person: what create_person and the roster import insert."""
    values = person_in.model_dump()
    values["sex"] = person_in.sex.value
    values["document_number"] = normalize_document_number(person_in.document_number)
    values["name_key"] = name_key(person_in.given_name, person_in.family_name)
    values["name_key_latin"] = latin_key(person_in.given_name, person_in.family_name,
                                         person_in.given_name_latin, person_in.family_name_latin)
    values["registered_by_organization_id"] = actor.organization_id
    values["created_by_id"] = actor.user_id
    return values


def create_person(session: Session, *, actor: Actor, person_in: PersonCreate) -> Person:
    check_nationality(session, person_in.nationality_code)
    person = Person(**person_values(person_in, actor=actor))
    session.add(person)
    session.flush()
    audit.record(session, actor=actor, action="person.create", entity_type="person",
                 entity_id=person.id)
    return person


def may_update(actor: Actor, person: Person) -> bool:
    """Only the registering organisation corrects a person's names (others keep their own
    record, app.people.identity)."""
    return (can(actor, Permission.PERSON_CREATE)
            and person.registered_by_organization_id == actor.organization_id)


def check_may_update(actor: Actor, person: Person) -> None:
    if not may_update(actor, person):
        raise PermissionDenied(_("Only the organisation that registered this person corrects "
                               "their names"), action="person.update", entity_type="person",
                               entity_id=person.id)


def update_person(session: Session, *, actor: Actor, person: Person,
                  person_in: PersonUpdate) -> Person:
    """Correct the names of a person the actor may see (CurrentPerson): 403, audited, unless
    the actor's organisation registered them. Audited with the fields changed, not their
    values."""
    check_may_update(actor, person)
    changes = {name: value for name, value in person_in.model_dump(exclude_unset=True).items()
               if value is not None and value != getattr(person, name)}
    for name, value in changes.items():
        setattr(person, name, value)
    person.name_key = name_key(person.given_name, person.family_name)
    person.name_key_latin = latin_key(person.given_name, person.family_name,
                                      person.given_name_latin, person.family_name_latin)
    session.add(person)
    session.flush()
    audit.record(session, actor=actor, action="person.update", entity_type="person",
                 entity_id=person.id, detail={"fields": sorted(changes)})
    return person


def read_person(session: Session, *, actor: Actor, person: Person) -> Person:
    """The record of a person the actor may see (CurrentPerson); the read is audited."""
    audit.record(session, actor=actor, action="person.read", entity_type="person",
                 entity_id=person.id)
    return person


def list_people(session: Session, *, actor: Actor, filters: CrossingFilters,
                page: PageParams) -> tuple[list[Person], int]:
    """The people actor may see, newest first; crossing filters keep people with a matching
    crossing. The read is audited with the ids shown (never names)."""
    statement = select(Person).where(access.visible(actor, Person),
                                     *filters.person_conditions())
    if filters.filters_crossings:
        statement = statement.where(Person.id.in_(
            select(Crossing.person_id).where(*filters.crossing_conditions())))
    rows, total = paginate(session, statement.order_by(Person.id.desc()), page)
    audit.record(session, actor=actor, action="person.list", entity_type="person",
                 detail={"count": len(rows), "total": total, "ids": [p.id for p in rows]})
    return rows, total


def one_of(session: Session, column, values: list) -> ColumnElement[bool]:
    """`column IN values` for a batch of lookups. On PostgreSQL, one array parameter
    (`= ANY(...)`): psycopg prepares a statement it runs often, and the generic plan of an
    IN list of hundreds of placeholders compares every row with every value."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def _chunks(values: list) -> list[list]:
    return [values[i:i + LOOKUP_BATCH] for i in range(0, len(values), LOOKUP_BATCH)]
