"""The referral letter: one page to the recipient of a referral, with the person's details
only when they consented to share them."""

from sqlmodel import Session

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization, User
from app.cases.models import Case
from app.clock import local_date, local_today
from app.labels import SERVICE_LABELS, SEX_LABELS, STATUS_LABELS
from app.nationalities.models import Nationality
from app.people.models import Person
from app.referrals.models import Referral
from app.reports.letters import LetterContent, LetterPerson, render_letter


def referral_letter(session: Session, *, actor: Actor, referral_id: int) -> bytes:
    """The one-page letter to the recipient; the person's details only with their consent."""
    referral = access.get_visible(session, actor, Referral, referral_id, action="referral.letter")
    case = session.get(Case, referral.case_id)
    organization = session.get(Organization, referral.organization_id)
    creator = session.get(User, referral.created_by_id)
    person = None
    if referral.consent_to_share:
        row = session.get(Person, case.person_id)
        nationality = session.get(Nationality, row.nationality_code) \
            if row.nationality_code else None
        person = LetterPerson(
            given_name=row.given_name, family_name=row.family_name,
            sex=SEX_LABELS.get(row.sex, row.sex), date_of_birth=row.date_of_birth,
            age_estimate=row.age_estimate,
            nationality=nationality.name if nationality else "",
            document_number=row.document_number, phone=row.phone,
            languages=tuple(row.languages or ()))
        audit.record(session, actor=actor, action="person.read", entity_type="person",
                     entity_id=row.id, detail={"via": "referral letter"})
    content = LetterContent(
        case_reference=case.reference,
        service=SERVICE_LABELS.get(referral.service, referral.service),
        recipient=referral.recipient,
        status=STATUS_LABELS.get(referral.status, referral.status),
        referred_on=local_date(referral.created_at),
        organization=organization.name if organization else "",
        contact_name=(creator.full_name or creator.username) if creator else "",
        generated_on=local_today(),
        person=person, notes=referral.notes if referral.consent_to_share else "")
    pdf = render_letter(content)
    audit.record(session, actor=actor, action="export.letter", entity_type="referral",
                 entity_id=referral.id,
                 detail={"case_id": case.id, "consent_to_share": referral.consent_to_share,
                         "rows": 1})
    return pdf
