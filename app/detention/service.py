"""The detention record of a case, and the non-punishment letters made from it.

Caseworkers of the owning organisation write the record; coordinators read it. A letter may
be made when the person is detained or charged and the screening found indicators of
trafficking (or a caseworker determined that the person is a victim); it states the dimensions
found, in words, and who determined what and when, never the interview's answers or narrative.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization
from app.auth.service import display_names
from app.cases.determinations import determinations_of
from app.cases.interviews import latest_screening_of
from app.cases.latest import current_screening_id
from app.cases.models import Case, Determination, Screening
from app.cases.schemas import DeterminationRead, Outcome
from app.clock import local_today, utcnow
from app.detention.models import Detention, NonPunishmentLetter
from app.detention.schemas import (
    DetentionCreate,
    DetentionRead,
    DetentionUpdate,
    LetterRead,
)
from app.errors import Conflict, NotFound, field_error
from app.i18n import _
from app.screening.rules import Classification

# fields a PATCH may not set to null: the record keeps a value for each
NOT_NULL = ("detained", "charged", "authority", "place", "note", "consent_to_share")


def _check(detention: Detention) -> None:
    """The rules of a record as a whole, whether made or changed."""
    if (detention.detained or detention.charged) and not detention.authority:
        raise field_error("authority", _("Say which authority holds or charges the person "
                                       "(police, immigration, a court)"))
    if detention.since is not None and detention.since > local_today():
        raise field_error("since", _("The date cannot be in the future"))


def _record_of(session: Session, case_id: int) -> Detention | None:
    return session.exec(select(Detention).where(Detention.case_id == case_id)).first()


def _read(session: Session, detention: Detention) -> DetentionRead:
    letters = list(session.exec(select(NonPunishmentLetter)
                                .where(NonPunishmentLetter.case_id == detention.case_id)
                                .order_by(NonPunishmentLetter.id)).all())
    names = display_names(session, {detention.updated_by_id,
                                    *(letter.issued_by_id for letter in letters)})
    return DetentionRead(
        id=detention.id, case_id=detention.case_id, detained=detention.detained,
        charged=detention.charged, authority=detention.authority, place=detention.place,
        since=detention.since, grounds=detention.grounds, note=detention.note,
        consent_to_share=detention.consent_to_share, created_at=detention.created_at,
        updated_at=detention.updated_at, updated_by=names.get(detention.updated_by_id),
        letters=[LetterRead(id=letter.id, issued_at=letter.issued_at,
                            issued_by=names.get(letter.issued_by_id),
                            authority=letter.authority, names_person=letter.names_person)
                 for letter in letters])


def create_detention(session: Session, *, actor: Actor, case_id: int,
                     detention_in: DetentionCreate) -> DetentionRead:
    case = access.get_visible(session, actor, Case, case_id, action="detention.create")
    if _record_of(session, case.id) is not None:
        raise Conflict(_("This case already has a detention record: change it with PATCH"))
    detention = Detention(case_id=case.id, **detention_in.model_dump(),
                          created_by_id=actor.user_id, updated_by_id=actor.user_id)
    _check(detention)
    session.add(detention)
    session.flush()
    audit.record(session, actor=actor, action="detention.create", entity_type="case",
                 entity_id=case.id, detail={"detention_id": detention.id})
    return _read(session, detention)


def read_detention(session: Session, *, actor: Actor, case_id: int) -> DetentionRead:
    case = access.get_visible(session, actor, Case, case_id, action="detention.read")
    detention = _record_of(session, case.id)
    if detention is None:
        raise NotFound(_("No detention has been recorded for this case"))
    audit.record(session, actor=actor, action="detention.read", entity_type="case",
                 entity_id=case.id, detail={"detention_id": detention.id})
    return _read(session, detention)


def detention_of(session: Session, *, case_id: int) -> DetentionRead | None:
    """The record for a page that has already checked and audited the read of the case."""
    detention = _record_of(session, case_id)
    return _read(session, detention) if detention is not None else None


def update_detention(session: Session, *, actor: Actor, case_id: int,
                     update_in: DetentionUpdate) -> DetentionRead:
    case = access.get_visible(session, actor, Case, case_id, action="detention.update")
    detention = _record_of(session, case.id)
    if detention is None:
        raise NotFound(_("No detention has been recorded for this case: record it with POST"))
    changes = update_in.model_dump(exclude_unset=True)
    for name in NOT_NULL:
        if name in changes and changes[name] is None:
            raise field_error(name, _("Cannot be empty: leave it out to keep it as it is"))
    changed = sorted(name for name, value in changes.items()
                     if getattr(detention, name) != value)
    for name in changed:
        setattr(detention, name, changes[name])
    _check(detention)
    if changed:
        detention.updated_by_id = actor.user_id
        detention.updated_at = utcnow()
        session.add(detention)
        session.flush()
    # the names of the fields changed, never their values (a note may name people)
    audit.record(session, actor=actor, action="detention.update", entity_type="case",
                 entity_id=case.id, detail={"detention_id": detention.id, "fields": changed})
    return _read(session, detention)


def save_detention(session: Session, *, actor: Actor, case_id: int,
                   detention_in: DetentionCreate) -> DetentionRead:
    """The case page's form: every field at once, recorded the first time, changed after."""
    case = access.get_visible(session, actor, Case, case_id, action="detention.update")
    if _record_of(session, case.id) is None:
        return create_detention(session, actor=actor, case_id=case.id,
                                detention_in=detention_in)
    return update_detention(session, actor=actor, case_id=case.id,
                            update_in=DetentionUpdate(**detention_in.model_dump()))


# --- indicators: what a letter may state -------------------------------------------------

def indicates_trafficking(suggestion: str | None, outcome: str | None) -> bool:
    """Whether a letter has something to state: the current suggestion found indicators of
    trafficking, or the latest determination is that the person is a victim."""
    return (suggestion == Classification.TRAFFICKING_VICTIM
            or outcome == Outcome.TRAFFICKING_VICTIM)


@dataclass(frozen=True)
class LetterBasis:
    """What a non-punishment letter rests on: the record, the latest suggestion and the
    latest determination of the case."""

    case: Case
    organization: str
    detention: Detention
    screening: Screening | None
    determination: DeterminationRead | None


def letter_basis(session: Session, *, actor: Actor, case_id: int) -> LetterBasis:
    """The case's detention record, suggestion and determination, or 409 with the reason a
    letter cannot be made. The caller audits."""
    case = access.get_visible(session, actor, Case, case_id, action="export.letter")
    detention = _record_of(session, case.id)
    if detention is None or not (detention.detained or detention.charged):
        raise Conflict(_("A non-punishment letter is for a person who is detained or charged: "
                       "record the detention first"))
    screening = latest_screening_of(session, case.id)
    determinations = determinations_of(session, case.id)
    determination = determinations[-1] if determinations else None
    if not indicates_trafficking(screening.classification if screening else None,
                                 determination.outcome if determination else None):
        raise Conflict(_("The screening found no indicators of trafficking for this case and "
                       "no one has determined that the person is a victim, so a "
                       "non-punishment letter has nothing to state"))
    organization = session.get(Organization, case.organization_id)
    return LetterBasis(case=case, organization=organization.name if organization else "",
                       detention=detention, screening=screening, determination=determination)


def record_letter(session: Session, *, actor: Actor, basis: LetterBasis,
                  names_person: bool) -> NonPunishmentLetter:
    letter = NonPunishmentLetter(
        case_id=basis.case.id, detention_id=basis.detention.id,
        screening_id=basis.screening.id if basis.screening else None,
        determination_id=basis.determination.id if basis.determination else None,
        authority=basis.detention.authority, names_person=names_person,
        issued_by_id=actor.user_id, issued_at=utcnow())
    session.add(letter)
    session.flush()
    return letter


# --- who is waiting for a letter ---------------------------------------------------------

def _awaiting_conditions(actor: Actor) -> list:
    """Detained or charged, on a case the actor may see, with indicators of trafficking (the
    current suggestion or the latest determination), and no letter made yet."""
    d = aliased(Determination)
    latest_determination = (select(func.max(d.id)).where(d.case_id == Case.id)
                            .correlate_except(d).scalar_subquery())
    indicated = or_(
        exists().where(Screening.id == current_screening_id(Case.id),
                       Screening.classification == Classification.TRAFFICKING_VICTIM.value)
        .correlate(Case),
        exists().where(Determination.id == latest_determination,
                       Determination.outcome == Outcome.TRAFFICKING_VICTIM.value)
        .correlate(Case))
    return [or_(Detention.detained, Detention.charged), access.visible(actor, Case), indicated,
            ~exists().where(NonPunishmentLetter.case_id == Case.id)]


def awaiting_letter_count(session: Session, *, actor: Actor) -> int:
    """How many detained or charged people with indicators of trafficking, on cases the actor
    may see, have no non-punishment letter yet (no names: a count)."""
    statement = (select(func.count(func.distinct(Case.person_id)))
                 .select_from(Detention).join(Case, Case.id == Detention.case_id)
                 .where(*_awaiting_conditions(actor)))
    return session.exec(statement).one()


@dataclass(frozen=True)
class AwaitingLetter:
    case_id: int
    reference: str
    organization: str
    authority: str
    since: date | None
    detained: bool
    charged: bool


def awaiting_letters(session: Session, *, actor: Actor, limit: int = 200) -> list[AwaitingLetter]:
    """The cases behind awaiting_letter_count, longest held first: references, no names."""
    rows = session.exec(
        select(Case.id, Case.reference, Organization.name, Detention.authority, Detention.since,
               Detention.detained, Detention.charged)
        .select_from(Detention).join(Case, Case.id == Detention.case_id)
        .join(Organization, Organization.id == Case.organization_id)
        .where(*_awaiting_conditions(actor))
        .order_by(Detention.since.is_(None), Detention.since, Case.id).limit(limit)).all()
    audit.record(session, actor=actor, action="case.list", entity_type="case",
                 detail={"view": "awaiting non-punishment letters", "returned": len(rows)})
    return [AwaitingLetter(*row) for row in rows]
