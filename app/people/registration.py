"""Registering a person from the page: the likely duplicates first, then the record once the
caseworker confirms the very details that were checked."""

import hashlib
from dataclasses import dataclass

from sqlmodel import Session

from app.audit.service import Actor
from app.people import duplicates, identity
from app.people import service as people_service
from app.people.models import Person
from app.people.schemas import PersonCreate


def fingerprint(person_in: PersonCreate) -> str:
    """A short hash of what the duplicate check looked at, so that "Register anyway" skips the
    check only for the very details that were checked."""
    parts = [person_in.given_name, person_in.family_name, person_in.nationality_code or "",
             str(person_in.date_of_birth or ""), str(person_in.age_estimate or ""),
             people_service.normalize_document_number(person_in.document_number) or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


@dataclass
class Registration:
    person: Person | None
    possible_duplicates: list[duplicates.DuplicateRead]
    fingerprint: str


def register_from_form(session: Session, *, actor: Actor, person_in: PersonCreate,
                       confirmed_fingerprint: str = "") -> Registration:
    """Register a person from the page: first look for likely duplicates and, when there are
    any, register nothing and return them (the page warns); register once the caseworker
    confirms those same details."""
    people_service.check_nationality(session, person_in.nationality_code)
    current = fingerprint(person_in)
    if confirmed_fingerprint != current:
        found = duplicates.check_new_person(session, actor=actor, person_in=person_in)
        if found:
            return Registration(None, found, current)
    person = identity.register(session, actor=actor, person_in=person_in)
    return Registration(person, [], current)
