"""Which users an actor reaches (app.auth.access): administrators those of their own
organisation (not a Passage-wide administrator), Passage-wide administrators everyone;
caseworkers and coordinators the users awaiting their confirmation in their organisation
(app.auth.confirmation). A user out of reach is 404, and the attempt audited."""

from sqlalchemy import ColumnElement, and_, false, or_, true

from app.audit.service import Actor
from app.auth import access
from app.auth.models import User
from app.auth.permissions import Permission, can


@access.register(User, entity_type="user", not_found="No such user")
def users_in_reach(actor: Actor) -> ColumnElement[bool]:
    if can(actor, Permission.USER_ADMIN_ALL):
        return true()
    if actor.organization_id is None:
        return false()
    own = User.organization_id == actor.organization_id
    clauses: list[ColumnElement[bool]] = []
    if can(actor, Permission.USER_ADMIN):
        # a Passage-wide administrator is managed only by another one: else an administrator
        # of their organisation could reset their password and take the flag with it
        clauses.append(and_(own, User.global_admin.is_(False)))
    if can(actor, Permission.USER_CONFIRM):
        clauses.append(and_(own, User.awaiting_confirmation.is_(True),
                            User.is_active.is_(True), User.id != actor.user_id))
    return or_(*clauses) if clauses else false()
