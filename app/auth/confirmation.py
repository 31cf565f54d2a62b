"""The two-person rule: no single administrator reaches case content.

A user an administrator created in an organisation, moved into one, gave another role, or gave
a set-password code (a reset: the administrator saw the code) awaits confirmation. Until a
caseworker or coordinator of that organisation, themselves confirmed, confirms them in Passage,
they may use only their own account (permissions.AWAITING_CONFIRMATION_PERMISSIONS) and the
access layer shows them no row of anything (app.auth.access.visible). Their home page says so.

Users made at the command line (`passage createuser`, the server operator's way in, who holds
the database anyway) need no confirmation; `passage confirm-user` confirms one where no one
of the organisation can (a new organisation's first caseworker).

Which users a confirmer sees (those awaiting in their own organisation, not themselves) is
the User rule of the access layer (app.auth.users_access)."""

from sqlalchemy import func
from sqlmodel import Session, select

from app import audit, clock
from app.audit.service import Actor
from app.auth import access
from app.auth.models import User
from app.errors import Conflict
from app.i18n import N_, Labels, _
from app.pagination import PageParams, paginate

CREATED, MOVED, ROLE, PASSWORD_RESET = "created", "moved", "role", "password_reset"
AWAITING_REASONS = Labels({
    CREATED: N_("New account"),
    MOVED: N_("Moved from another organisation"),
    ROLE: N_("Given another role"),
    PASSWORD_RESET: N_("Password reset by an administrator"),
})


def require_confirmation(user: User, *, reason: str) -> None:
    """The user sees nothing of their organisation's records until confirmed again (the
    caller's audit event says why)."""
    user.awaiting_confirmation = True
    user.awaiting_reason = reason
    user.confirmed_by_id = None
    user.confirmed_at = None


def awaiting(session: Session, *, actor: Actor,
             page: PageParams) -> tuple[list[User], int]:
    """The users the actor may confirm: awaiting confirmation in the actor's organisation."""
    statement = (select(User).where(User.awaiting_confirmation.is_(True),
                                    User.organization_id == actor.organization_id,
                                    access.visible(actor, User))
                 .order_by(User.updated_at.desc(), User.id.desc()))
    return paginate(session, statement, page)


def awaiting_count(session: Session, *, actor: Actor) -> int:
    return session.exec(select(func.count()).select_from(User).where(
        User.awaiting_confirmation.is_(True), User.organization_id == actor.organization_id,
        access.visible(actor, User))).one()


def confirm(session: Session, *, actor: Actor, user_id: int, username: str,
            role: str) -> User:
    """A caseworker or coordinator confirms a user of their own organisation (404, audited,
    for anyone else's; a confirmer awaiting confirmation holds no permission to get here).

    The confirmer confirms what they were shown: the user's name and role as they saw them
    (else an administrator could change the role between the look and the click). And only
    once the user has chosen their own password: before that the administrator, who saw the
    set-password code, could redeem it themselves and hold the confirmed account."""
    user = access.get_visible(session, actor, User, user_id, action="user.confirm")
    if not user.awaiting_confirmation:
        raise Conflict(_("This user is confirmed already"))
    if user.id == actor.user_id:
        raise Conflict(_("You cannot confirm yourself"))
    if user.username != username or user.role != role:
        raise Conflict(_("This user's name or role has changed since you looked: look at the "
                       "list again and confirm only someone you know works with you in that "
                       "role"))
    if not user.password_set:
        raise Conflict(_("This user has not yet chosen their password with their set-password "
                       "code: confirm them once they have"))
    reason = user.awaiting_reason
    confirm_as(session, actor=actor, user=user)
    audit.record(session, actor=actor, action="user.confirm", entity_type="user",
                 entity_id=user.id, detail={"reason": reason, "role": user.role,
                                            "organization_id": user.organization_id})
    return user


def confirm_as(session: Session, *, actor: Actor, user: User) -> None:
    user.awaiting_confirmation = False
    user.awaiting_reason = None
    user.confirmed_by_id = actor.user_id
    user.confirmed_at = clock.utcnow()
    session.add(user)
    session.flush()
