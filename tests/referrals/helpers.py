"""Shared set-up for referral and report tests: signed-in users and cases made with factories."""

from dataclasses import dataclass

from sqlmodel import select

from app.audit.models import AuditEvent
from app.auth.models import Organization
from tests import factories


@dataclass
class CaseSetup:
    signed_in: object  # SignedIn of the case's caseworker
    organization: Organization
    case: object
    person: object


def caseworker_case(session, login_as, *, organization: str = "Border Care Foundation",
                    username: str | None = None, **person) -> CaseSetup:
    """A caseworker signed in through the real login, and a case of their organisation."""
    signed_in = login_as("caseworker", organization=organization, username=username)
    org = session.get(Organization, signed_in.user.organization_id)
    made = factories.make_person(session, organization=org, **person)
    case = factories.make_case(session, person=made, organization=org,
                               assigned_to=signed_in.user)
    session.commit()
    return CaseSetup(signed_in, org, case, made)


def another_case(session, organization: Organization, **person):
    made = factories.make_person(session, organization=organization, **person)
    case = factories.make_case(session, person=made, organization=organization)
    session.commit()
    return case, made


def events(session, *, actor_id: int | None = None, action: str | None = None,
           outcome: str | None = None) -> list[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id)
    if actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == actor_id)
    if action is not None:
        statement = statement.where(AuditEvent.action == action)
    if outcome is not None:
        statement = statement.where(AuditEvent.outcome == outcome)
    session.expire_all()
    return list(session.exec(statement).all())
