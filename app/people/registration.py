"""Registering a person from the page: the likely duplicates first, then the record once the
caseworker confirms the very details that were checked. A name written in another script and
given no Latin form gets one proposed (app.people.latin) on that same check: the page shows it
in the form to correct, and nothing is saved until the caseworker registers again."""

import hashlib
from dataclasses import dataclass

from sqlmodel import Session

from app.audit.service import Actor
from app.people import duplicates, identity, latin
from app.people import service as people_service
from app.people.models import Person
from app.people.schemas import PersonCreate


def fingerprint(person_in: PersonCreate) -> str:
    """A short hash of what the duplicate check looked at, so that "Register anyway" skips the
    check only for the very details that were checked."""
    parts = [person_in.given_name, person_in.family_name, person_in.given_name_latin,
             person_in.family_name_latin, person_in.nationality_code or "",
             str(person_in.date_of_birth or ""), str(person_in.age_estimate or ""),
             people_service.normalize_document_number(person_in.document_number) or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


@dataclass
class Registration:
    person: Person | None
    possible_duplicates: list[duplicates.DuplicateRead]
    fingerprint: str
    person_in: PersonCreate
    latin_proposed: bool = False


def register_from_form(session: Session, *, actor: Actor, person_in: PersonCreate,
                       confirmed_fingerprint: str = "",
                       latin_checked: bool = False) -> Registration:
    """Register a person from the page: first look for likely duplicates and, when there are
    any, register nothing and return them (the page warns); register once the caseworker
    confirms those same details. Names in another script with no Latin form, not yet shown
    to the caseworker (`latin_checked`), get one proposed and nothing is registered: the
    page shows the proposal to correct."""
    people_service.check_nationality(session, person_in.nationality_code)
    proposed = False
    if not (latin_checked or person_in.given_name_latin or person_in.family_name_latin):
        given, family = latin.propose(person_in.given_name, person_in.family_name)
        if given or family:
            person_in = person_in.model_copy(update={"given_name_latin": given,
                                                     "family_name_latin": family})
            proposed = True
    current = fingerprint(person_in)
    if confirmed_fingerprint != current:
        found = duplicates.check_new_person(session, actor=actor, person_in=person_in)
        if found or proposed:
            return Registration(None, found, current, person_in, proposed)
    person = identity.register(session, actor=actor, person_in=person_in)
    return Registration(person, [], current, person_in)
