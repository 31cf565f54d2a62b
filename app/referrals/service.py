"""Referrals: made by caseworkers for their own organisation's cases, followed and moved on by
coordinators, every status change kept with who and when.

A referral made without `consent_to_share` is anonymous: no letter or export about it carries
the person's name, date of birth, document number, phone or the referral's notes.
"""

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import Session, func, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization, User
from app.cases import next_step
from app.cases.lifecycle import refuse_if_closed
from app.cases.models import Case
from app.clock import utcnow
from app.db import MAX_DATABASE_INT
from app.errors import Conflict
from app.i18n import _
from app.pagination import PageParams
from app.referrals.models import Referral, ReferralStatusChange
from app.referrals.schemas import (
    TRANSITIONS,
    ReferralCreate,
    ReferralFilters,
    ReferralRead,
    ReferralStatus,
    ReferralStatusUpdate,
    StatusChangeRead,
)


def _case_to_refer(session: Session, actor: Actor, case_id: int) -> Case:
    """A caseworker refers only their own organisation's cases (the cases they may open);
    another's is a 404."""
    return access.get_visible(session, actor, Case, case_id, action="referral.create")


def case_to_refer(session: Session, *, actor: Actor, case_id: int) -> dict:
    """The case a new referral is for (the referral form's heading): its id and reference."""
    case = _case_to_refer(session, actor, case_id)
    audit.record(session, actor=actor, action="case.read", entity_type="case",
                 entity_id=case.id, detail={"view": "referral form"})
    return {"id": case.id, "reference": case.reference}


# --- filters ----------------------------------------------------------------------------

def filter_conditions(filters: ReferralFilters) -> list[ColumnElement[bool]]:
    conditions = filters.conditions(Referral.created_at)
    if filters.case_id is not None:
        conditions.append(Referral.case_id == filters.case_id)
    if filters.status:
        conditions.append(Referral.status == filters.status.value)
    if filters.service:
        conditions.append(Referral.service == filters.service.value)
    if filters.recipient:
        conditions.append(func.lower(Referral.recipient).contains(
            filters.recipient.lower(), autoescape=True))
    return conditions


# --- reading ----------------------------------------------------------------------------

def _shown_name(full_name, username):
    """Who did something, named as everywhere in Passage (auth.service.display_names): the
    full name, else the username."""
    return func.coalesce(func.nullif(full_name, ""), username)


def _read_statement():
    creator = User.__table__.alias("creator")
    return (
        select(Referral, Case.reference, Organization.name,
               _shown_name(creator.c.full_name, creator.c.username))
        .join(Case, Case.id == Referral.case_id)
        .join(Organization, Organization.id == Referral.organization_id)
        .outerjoin(creator, creator.c.id == Referral.created_by_id)
    )


def _to_read(row, history: list[StatusChangeRead] | None = None) -> ReferralRead:
    referral, reference, organization, username = row
    return ReferralRead(
        id=referral.id, case_id=referral.case_id, case_reference=reference,
        organization_id=referral.organization_id, organization=organization,
        service=referral.service, recipient=referral.recipient,
        consent_to_share=referral.consent_to_share, notes=referral.notes,
        status=referral.status, created_by=username, created_at=referral.created_at,
        updated_at=referral.updated_at, history=history or [])


def _history(session: Session, referral_id: int) -> list[StatusChangeRead]:
    return _histories(session, [referral_id]).get(referral_id, [])


def _histories(session: Session, referral_ids: list[int]) -> dict[int, list[StatusChangeRead]]:
    """Each referral's status changes, oldest first, in one query."""
    if not referral_ids:
        return {}
    rows = session.exec(
        select(ReferralStatusChange, _shown_name(User.full_name, User.username))
        .outerjoin(User, User.id == ReferralStatusChange.changed_by_id)
        .where(ReferralStatusChange.referral_id.in_(referral_ids))
        .order_by(ReferralStatusChange.changed_at, ReferralStatusChange.id)
    ).all()
    histories: dict[int, list[StatusChangeRead]] = {}
    for c, username in rows:
        histories.setdefault(c.referral_id, []).append(StatusChangeRead(
            from_status=c.from_status, to_status=c.to_status, note=c.note,
            changed_by=username, changed_at=c.changed_at))
    return histories


def _read(session: Session, referral_id: int) -> ReferralRead:
    row = session.exec(_read_statement().where(Referral.id == referral_id)).one()
    return _to_read(row, _history(session, referral_id))


def read_referral(session: Session, *, actor: Actor, referral: Referral) -> ReferralRead:
    """A referral the actor may see (CurrentReferral), with its history; audited."""
    audit.record(session, actor=actor, action="referral.read", entity_type="referral",
                 entity_id=referral.id, detail={"case_id": referral.case_id})
    return _read(session, referral.id)


def visible_referral(session: Session, *, actor: Actor, referral_id: int) -> ReferralRead | None:
    """The referral if the actor may see it (read and audited), else None: for a page that
    names a referral it was told of, and shows nothing for one that is not there."""
    if not 0 < referral_id <= MAX_DATABASE_INT:
        return None
    referral = session.exec(select(Referral).where(Referral.id == referral_id,
                                                   access.visible(actor, Referral))).first()
    return None if referral is None else read_referral(session, actor=actor, referral=referral)


def list_referrals(session: Session, *, actor: Actor, filters: ReferralFilters,
                   page: PageParams) -> tuple[list[ReferralRead], int]:
    """One page of the referrals the actor may see, newest first, with the total."""
    conditions = [access.visible(actor, Referral), *filter_conditions(filters)]
    total = session.exec(select(func.count()).select_from(Referral).where(*conditions)).one()
    rows = session.exec(
        _read_statement().where(*conditions)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(page.limit).offset(page.offset)
    ).all()
    audit.record(session, actor=actor, action="referral.list", entity_type="referral",
                 detail={"filters": filters.as_audit(), "rows": len(rows), "total": total})
    histories = _histories(session, [r[0].id for r in rows])
    return [_to_read(r, histories.get(r[0].id, [])) for r in rows], total


def status_counts(session: Session, *, actor: Actor, filters: ReferralFilters) -> dict[str, int]:
    """How many referrals of each status match the filters other than status."""
    others = filters.model_copy(update={"status": None})
    rows = session.exec(
        select(Referral.status, func.count()).where(access.visible(actor, Referral),
                                                    *filter_conditions(others))
        .group_by(Referral.status)
    ).all()
    counts = {status.value: 0 for status in ReferralStatus}
    counts.update({status: n for status, n in rows})
    return counts


def case_referrals(session: Session, *, actor: Actor, case_id: int) -> list[ReferralRead]:
    """The referrals of one case that the actor may see, oldest first, with their history
    (for the case page; the page's own read of the case is audited by the case page)."""
    rows = session.exec(
        _read_statement().where(Referral.case_id == case_id, access.visible(actor, Referral))
        .order_by(Referral.created_at, Referral.id)
    ).all()
    return [_to_read(r, _history(session, r[0].id)) for r in rows]


# --- changing ---------------------------------------------------------------------------

def create_referral(session: Session, *, actor: Actor, case_id: int,
                    referral_in: ReferralCreate) -> ReferralRead:
    case = _case_to_refer(session, actor, case_id)
    refuse_if_closed(case)
    referral = Referral(case_id=case.id, organization_id=case.organization_id,
                        service=referral_in.service.value, recipient=referral_in.recipient,
                        consent_to_share=referral_in.consent_to_share,
                        notes=referral_in.notes, status=ReferralStatus.PENDING.value,
                        created_by_id=actor.user_id)
    session.add(referral)
    session.flush()
    session.add(ReferralStatusChange(referral_id=referral.id, from_status=None,
                                     to_status=ReferralStatus.PENDING.value,
                                     changed_by_id=actor.user_id))
    audit.record(session, actor=actor, action="referral.create", entity_type="referral",
                 entity_id=referral.id,
                 detail={"case_id": case.id, "service": referral.service,
                         "consent_to_share": referral.consent_to_share})
    session.flush()
    next_step.refresh(session, [case.id])
    return _read(session, referral.id)


def update_status(session: Session, *, actor: Actor, referral_id: int,
                  update_in: ReferralStatusUpdate) -> ReferralRead:
    """Move a referral on: pending -> accepted | declined, accepted -> completed."""
    referral = access.get_visible(session, actor, Referral, referral_id, action="referral.update")
    current = ReferralStatus(referral.status)
    wanted = update_in.status
    if wanted not in TRANSITIONS[current]:
        allowed = sorted(s.value for s in TRANSITIONS[current])
        raise Conflict(
            _("status: a %(value)s referral cannot become %(value2)s; ")
            % {"value": current.value, "value2": wanted.value}
            + (f"it can become {' or '.join(allowed)}" if allowed else "it is final")
        )
    # Conditional on the status just read, so that two coordinators moving the same referral
    # at once cannot both win (and the history stays a single line).
    moved = session.connection().execute(
        update(Referral)
        .where(and_(Referral.id == referral.id, Referral.status == current.value))
        .values(status=wanted.value, updated_at=utcnow())
    )
    if moved.rowcount != 1:
        raise Conflict(_("status: the referral was changed by someone else meanwhile; "
                       "reload it and try again"))
    session.refresh(referral)
    session.add(ReferralStatusChange(referral_id=referral.id, from_status=current.value,
                                     to_status=wanted.value, note=update_in.note,
                                     changed_by_id=actor.user_id))
    audit.record(session, actor=actor, action="referral.update", entity_type="referral",
                 entity_id=referral.id, detail={"from": current.value, "to": wanted.value})
    session.flush()
    next_step.refresh(session, [referral.case_id])
    return _read(session, referral.id)
