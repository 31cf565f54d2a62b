"""Writing audit events. An event is added to the caller's session, so it lands in the same
transaction as the change it describes: both or neither."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.audit.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where; passed to every service that reads or changes records."""

    user_id: int | None
    username: str | None
    role: str | None
    organization_id: int | None
    client_address: str | None = None
    full_name: str = ""
    is_active: bool = True
    user: Any = None  # the User row, when there is one
    # the two-person rule: until confirmed, nothing but their own account (app.auth)
    awaiting_confirmation: bool = False
    global_admin: bool = False  # Passage-wide administration, given at the command line

    @classmethod
    def of(cls, user: Any, client_address: str | None = None) -> "Actor":
        return cls(user_id=user.id, username=user.username, role=user.role,
                   organization_id=user.organization_id, client_address=client_address,
                   full_name=user.full_name, is_active=user.is_active, user=user,
                   awaiting_confirmation=user.awaiting_confirmation,
                   global_admin=user.global_admin)

    @classmethod
    def anonymous(cls, client_address: str | None = None,
                  username: str | None = None) -> "Actor":
        return cls(user_id=None, username=username, role=None, organization_id=None,
                   client_address=client_address)

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(user_id=None, username=label, role=None, organization_id=None,
                   client_address="cli")


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str | None = None,
    entity_id: int | str | None = None,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.user_id,
        actor_username=actor.username,
        role=actor.role,
        organization_id=actor.organization_id,
        client_address=actor.client_address,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        outcome=outcome,
        detail=detail or {},
    )
    session.add(event)
    return event
