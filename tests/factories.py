"""Plain functions that make rows for tests."""

import itertools
from datetime import UTC, date, datetime
from functools import lru_cache

from sqlmodel import Session

from app import audit
from app.audit.service import Actor
from app.auth import service as auth_service
from app.auth.models import Organization, User
from app.auth.permissions import Role
from app.auth.security import hash_password
from app.config import get_settings

_counter = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery staple"


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def make_organization(session: Session, *, name: str | None = None,
                      kind: str = "ngo") -> Organization:
    return auth_service.get_or_create_organization(session, name=name or unique("Org "),
                                                   kind=kind)


@lru_cache
def _password_hash(password: str, time_cost: int, memory_cost: int) -> str:
    return hash_password(password)


def password_hash(password: str) -> str:
    """The argon2 hash of `password` under the current settings, computed once per password
    and parameters: hashing is deliberately slow, and most tests make several users. The
    hash is a real one (salted, verifiable by the sign-in route); users with the same password
    share its salt, which only tests do."""
    settings = get_settings()
    return _password_hash(password, settings.argon2_time_cost, settings.argon2_memory_cost)


def make_user(session: Session, *, role: str, organization: Organization | None = None,
              username: str | None = None, password: str = DEFAULT_PASSWORD,
              global_admin: bool = False) -> tuple[User, str]:
    """A user stored as auth.service.create_user stores one for `passage createuser` (same
    row, same audit event: a password, no confirmation awaited), with the password hash from
    password_hash(); `global_admin` as `passage grant-global-admin` gives it. Creating users
    through the service and the administration API (a set-password code, the two-person
    rule) is tested in tests/admin and tests/test_cli.py."""
    organization = organization or make_organization(session)
    user = User(username=username or unique(f"{role}-"), password_hash=password_hash(password),
                role=Role(role).value, organization_id=organization.id,
                global_admin=global_admin)
    session.add(user)
    session.flush()
    audit.record(session, actor=Actor.system("test"), action="user.create",
                 entity_type="user", entity_id=user.id, detail={"role": user.role})
    return user, password


def aware(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def make_person(session: Session, *, organization: Organization | None = None, **overrides):
    """A person registered by `organization` (a new one unless given); name_key and
    name_key_latin kept."""
    from app.people.models import Person
    from app.people.service import latin_key, name_key

    organization = organization or make_organization(session)
    values = {"given_name": unique("Given"), "family_name": "Family", "sex": "unknown",
              "nationality_code": "IN", "languages": []}
    values.update(overrides)
    person = Person(**values, registered_by_organization_id=organization.id,
                    name_key=name_key(values["given_name"], values["family_name"]),
                    name_key_latin=latin_key(values["given_name"], values["family_name"],
                                             values.get("given_name_latin", ""),
                                             values.get("family_name_latin", "")))
    session.add(person)
    session.flush()
    return person


def make_crossing(session: Session, *, person, organization: Organization | None = None,
                  **overrides):
    """A crossing of `person` recorded by `organization` (the person's own by default); the
    nationality counts' rollup follows, as it does every write of crossings."""
    from app.crossings import rollup
    from app.crossings.models import Crossing

    values = {"crossed_at": aware(2025, 10, 22), "crossing_point": "Mae Sot Friendship Bridge 2"}
    values.update(overrides)
    crossing = Crossing(**values, person_id=person.id, recorded_by_organization_id=(
        organization.id if organization else person.registered_by_organization_id))
    with rollup.kept(session, [person.id]):
        session.add(crossing)
    return crossing


def _refresh_next_step(session: Session, case_id: int) -> None:
    """What the services do after each write that changes a case's next step: the rows made
    here are the services' rows."""
    from app.cases import next_step

    next_step.refresh(session, [case_id])


def make_case(session: Session, *, person, organization: Organization, assigned_to=None,
              status: str = "open"):
    """A case of `person` owned by `organization`, with a reference derived from its id as
    the cases service makes them."""
    from app.cases.models import Case

    case = Case(reference=unique("tmp-case-"), person_id=person.id,
                organization_id=organization.id, status=status,
                assigned_to_id=assigned_to.id if assigned_to else None)
    session.add(case)
    session.flush()
    case.reference = f"PSG-2025-{case.id:06d}"
    session.add(case)
    session.flush()
    _refresh_next_step(session, case.id)
    return case


def make_audit_event(session: Session, *, at: datetime | None = None, actor=None,
                     **overrides):
    """An audit event written the way the app writes them (audit.record), at a chosen time."""
    values = {"action": "person.read", "entity_type": "person", "entity_id": 1}
    values.update(overrides)
    event = audit.record(session, actor=actor or Actor.system("test"), **values)
    if at is not None:
        event.at = at
    session.flush()
    return event


def make_compound(session: Session, *, name: str | None = None, **overrides):
    """A compound; the name is unique, so an existing one of that name is returned."""
    from sqlmodel import select

    from app.compounds.models import Compound

    name = name or unique("Compound ")
    found = session.exec(select(Compound).where(Compound.name == name)).first()
    if found is not None:
        return found
    compound = Compound(**{"country_code": "MM", **overrides}, name=name)
    session.add(compound)
    session.flush()
    return compound


def make_roster_compounds(session: Session) -> dict[str, int]:
    """The compounds the demo roster names, by name -> id."""
    from app.demo.roster import COMPOUNDS

    return {data["name"]: make_compound(session, **data).id for data in COMPOUNDS}


def make_screening(session: Session, *, case, answers: dict[str, str] | None = None,
                   age_group: str = "adult", at: datetime | None = None, created_by=None,
                   rules_version: int = 1):
    """An interview of `case` with its answers and the rules' real suggestion, as the cases
    service stores them (answers left out count as unknown)."""
    from app.cases.models import Interview, InterviewAnswer, Screening
    from app.screening.rules import AgeGroup, parse_answers, screen

    at = at or aware(2025, 10, 24)
    parsed = parse_answers(answers or {})
    result = screen(parsed, AgeGroup(age_group), rules_version=rules_version)
    interview = Interview(case_id=case.id, conducted_at=at, consent_given=True,
                          created_by_id=created_by.id if created_by else None, created_at=at)
    session.add(interview)
    session.flush()
    session.add_all(InterviewAnswer(interview_id=interview.id, code=code, answer=value.value)
                    for code, value in parsed.items())
    screening = Screening(interview_id=interview.id, case_id=case.id,
                          classification=result.classification.value,
                          rules_version=result.rules_version, age_group=result.age_group.value,
                          result=result.to_dict(), created_at=at)
    session.add(screening)
    session.flush()
    _refresh_next_step(session, case.id)
    return screening


def make_determination(session: Session, *, case, outcome: str, decided_by,
                       screening=None, at: datetime | None = None, rationale: str = ""):
    from app.cases.models import Determination

    determination = Determination(case_id=case.id, outcome=outcome, rationale=rationale,
                                  screening_id=screening.id if screening else None,
                                  decided_by_id=decided_by.id, decided_at=at or aware(2025, 10, 25))
    session.add(determination)
    session.flush()
    _refresh_next_step(session, case.id)
    return determination


def make_referral(session: Session, *, case, created_by, status: str = "pending",
                  at: datetime | None = None, **overrides):
    """A referral of `case` by `created_by` (its organisation's), with its first history line."""
    from app.referrals.models import Referral, ReferralStatusChange

    values = {"service": "shelter", "recipient": unique("Safe House "),
              "consent_to_share": True, "notes": ""}
    values.update(overrides)
    at = at or aware(2025, 10, 26)
    referral = Referral(**values, case_id=case.id, organization_id=case.organization_id,
                        status=status, created_by_id=created_by.id, created_at=at,
                        updated_at=at)
    session.add(referral)
    session.flush()
    session.add(ReferralStatusChange(referral_id=referral.id, to_status="pending",
                                     changed_by_id=created_by.id, changed_at=at))
    session.flush()
    _refresh_next_step(session, case.id)
    return referral


def make_detention(session: Session, *, case, recorded_by, **overrides):
    from app.detention.models import Detention

    fields = {"detained": True, "charged": False, "authority": "Tak Immigration Police",
              "place": "Mae Sot Immigration Detention Centre", "since": date(2025, 10, 23),
              "grounds": "immigration_offence", "consent_to_share": True}
    detention = Detention(case_id=case.id, created_by_id=recorded_by.id,
                          updated_by_id=recorded_by.id, **{**fields, **overrides})
    session.add(detention)
    session.flush()
    return detention


def make_follow_up(session: Session, *, case, title: str = "Review the support plan",
                   due_on: date | None = None, assigned_to=None, **overrides):
    from app.cases.models import FollowUp

    follow_up = FollowUp(case_id=case.id, title=title, due_on=due_on or date(2025, 11, 8),
                         assigned_to_id=assigned_to.id if assigned_to else case.assigned_to_id,
                         **overrides)
    session.add(follow_up)
    session.flush()
    _refresh_next_step(session, case.id)
    return follow_up


def make_merge(session: Session, *, survivor, duplicate, merged_by=None):
    """`duplicate` merged into `survivor` as app.people.merge records it, with nothing moved."""
    from app.people.models import PersonMerge

    duplicate.merged_into_id = survivor.id
    session.add(duplicate)
    merge = PersonMerge(survivor_id=survivor.id, duplicate_id=duplicate.id,
                        merged_by_id=merged_by.id if merged_by else None,
                        moved={"crossings": {"moved": [], "removed": []}, "cases": [],
                               "person": {"filled": {}, "repointed": []}})
    session.add(merge)
    session.flush()
    return merge


def make_batch(session: Session, *, created_by, nationality_code: str = "IN", **overrides):
    """A repatriation batch, planned, as a coordinator makes it."""
    from app.repatriation.models import RepatriationBatch

    values = {"name": unique("Batch "), "departs_on": date(2025, 11, 6), "mode": "flight",
              "carrier_reference": "IAF C-130J", "exit_point": "Mae Sot Airport"}
    values.update(overrides)
    batch = RepatriationBatch(nationality_code=nationality_code, created_by_id=created_by.id,
                              updated_by_id=created_by.id, **values)
    session.add(batch)
    session.flush()
    return batch


def make_repatriation(session: Session, *, case, created_by, stage: str = "planning",
                      **overrides):
    """A repatriation of `case`'s person; at `stage` with its history, and (past planning)
    ready and willing to go with their passport unless overridden."""
    from app.people.models import Person
    from app.repatriation.models import Repatriation, RepatriationStageChange
    from app.repatriation.schemas import STEPS

    person = session.get(Person, case.person_id)
    values = {"destination_country": person.nationality_code or "IN"}
    if stage != "planning":
        values.update(consent_to_return="yes", consent_to_share_with_embassy="yes",
                      fear_of_return="no", travel_document_status="with_person")
    values.update(overrides)
    repatriation = Repatriation(case_id=case.id, created_by_id=created_by.id,
                                updated_by_id=created_by.id, stage=stage, **values)
    session.add(repatriation)
    session.flush()
    reached = [s.value for s in STEPS][:[s.value for s in STEPS].index(stage) + 1] \
        if stage != "cancelled" else ["planning", "cancelled"]
    previous = None
    for step in reached:
        session.add(RepatriationStageChange(repatriation_id=repatriation.id,
                                            from_stage=previous, to_stage=step,
                                            changed_by_id=created_by.id))
        previous = step
    session.flush()
    return repatriation
