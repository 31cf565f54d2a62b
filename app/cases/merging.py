"""What a merge of two records of one person does to cases (app.people.merge): the
duplicate's cases move to the survivor, with their interviews, referrals, follow-ups and
the rest, which hang on the case. Refused while both records have an open case of the same
organisation: one organisation works one case per person, so one of them is closed first
(reason `duplicate_record`)."""

from sqlalchemy import func, update
from sqlmodel import Session, select

from app.auth.models import Organization
from app.cases.lifecycle import active_condition
from app.cases.models import Case
from app.errors import Conflict
from app.i18n import _
from app.people.merge import Mover, register_mover


def _count(session: Session, person_id: int) -> int:
    return session.exec(select(func.count()).select_from(Case)
                        .where(Case.person_id == person_id)).one()


def _check(session: Session, survivor_id: int, duplicate_id: int) -> None:
    open_cases: dict[int, dict[int, str]] = {}
    for person_id, organization_id, reference in session.exec(
            select(Case.person_id, Case.organization_id, Case.reference).where(
                Case.person_id.in_([survivor_id, duplicate_id]), active_condition())):
        open_cases.setdefault(organization_id, {})[person_id] = reference
    for organization_id, by_person in sorted(open_cases.items()):
        if len(by_person) == 2:
            organization = session.get(Organization, organization_id)
            raise Conflict(
                _(
                    "Both records have an open case at %(value)s (%(by_person)s and "
                    "%(by_person2)s): close one of them as a duplicate record first"
                )
                % {
                    "value": organization.name if organization else "",
                    "by_person": by_person[survivor_id],
                    "by_person2": by_person[duplicate_id],
                }
            )


def _move(session: Session, survivor_id: int, duplicate_id: int) -> list[int]:
    ids = list(session.exec(select(Case.id).where(Case.person_id == duplicate_id)
                            .order_by(Case.id)).all())
    if ids:
        session.connection().execute(update(Case).where(Case.id.in_(ids))
                                     .values(person_id=survivor_id))
    return ids


def _restore(session: Session, duplicate_id: int, ids: list[int]) -> None:
    if ids:
        session.connection().execute(update(Case).where(Case.id.in_(ids))
                                     .values(person_id=duplicate_id))


register_mover(Mover(name="cases", words=("case", "cases"), count=_count, check=_check,
                     move=_move, restore=_restore))
