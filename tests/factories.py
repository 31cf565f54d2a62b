"""Plain functions that make rows for tests."""

import itertools
from datetime import UTC, datetime

from sqlmodel import Session

from app.audit.service import Actor
from app.auth import service as auth_service
from app.auth.models import Organization, User

_counter = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery staple"


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def make_organization(session: Session, *, name: str | None = None,
                      kind: str = "ngo") -> Organization:
    return auth_service.get_or_create_organization(session, name=name or unique("Org "),
                                                   kind=kind)


def make_user(session: Session, *, role: str, organization: Organization | None = None,
              username: str | None = None,
              password: str = DEFAULT_PASSWORD) -> tuple[User, str]:
    organization = organization or make_organization(session)
    user = auth_service.create_user(session, actor=Actor.system("test"),
                                    username=username or unique(f"{role}-"), password=password,
                                    role=role, organization=organization)
    return user, password


def aware(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)
