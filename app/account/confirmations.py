"""The two-person rule in the app (app.auth.confirmation): caseworkers and coordinators confirm
the users an administrator added to their organisation, moved into it, gave another role or
reset. API: GET /api/v1/users/awaiting-confirmation, POST /api/v1/users/{id}/confirm; page:
/confirmations. Anyone else gets 403, another organisation's user 404; both are audited."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from app.auth import confirmation
from app.auth.permissions import Permission
from app.db import MAX_DATABASE_INT
from app.deps import ActorDep, SessionDep, require
from app.pagination import OffsetQuery, Page, PageDep, PageParams, pager
from app.web import redirect, render

api = APIRouter(prefix="/api/v1/users", tags=["auth"])
pages = APIRouter(include_in_schema=False)

IdPath = Annotated[int, Path(ge=1, le=MAX_DATABASE_INT)]
PAGE_SIZE = 50


class ConfirmationSeen(BaseModel):
    """What the confirmer was shown of the user they confirm."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    role: str = Field(min_length=1, max_length=32)


class AwaitingUserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    role: str
    organization_id: int
    awaiting_confirmation: bool
    awaiting_reason: str | None = Field(
        description="created, moved, role or password_reset")
    updated_at: datetime
    confirmed_by_id: int | None
    confirmed_at: datetime | None


@api.get("/awaiting-confirmation", response_model=Page[AwaitingUserRead],
         dependencies=[require(Permission.USER_CONFIRM)])
def list_awaiting(session: SessionDep, actor: ActorDep,
                  page: PageDep) -> Page[AwaitingUserRead]:
    """The users of your organisation who see nothing of its records until you (or another
    caseworker or coordinator of it) confirm them. Confirm only someone you know works with
    you in that role."""
    rows, total = confirmation.awaiting(session, actor=actor, page=page)
    return Page(items=[AwaitingUserRead.model_validate(u) for u in rows], total=total,
                limit=page.limit, offset=page.offset)


@api.post("/{user_id}/confirm", response_model=AwaitingUserRead,
          dependencies=[require(Permission.USER_CONFIRM)])
def confirm_user(session: SessionDep, actor: ActorDep, user_id: IdPath,
                 seen: ConfirmationSeen) -> AwaitingUserRead:
    """Confirm a user awaiting confirmation in your organisation: they see its records from
    now on, as their role allows. Send the `username` and `role` you were shown: if either has
    changed since, 409 (look again). A user who has not yet chosen their password is 409.
    Another organisation's user is 404."""
    return AwaitingUserRead.model_validate(
        confirmation.confirm(session, actor=actor, user_id=user_id, username=seen.username,
                             role=seen.role))


@pages.get("/confirmations", dependencies=[require(Permission.USER_CONFIRM)])
def confirmations_page(request: Request, session: SessionDep, actor: ActorDep,
                       offset: OffsetQuery = 0,
                       confirmed: Annotated[str | None, Query(max_length=150)] = None):
    rows, total = confirmation.awaiting(session, actor=actor,
                                        page=PageParams(limit=PAGE_SIZE, offset=offset))
    return render(request, "auth/confirmations.html", {
        "rows": rows, "total": total, **pager(offset, PAGE_SIZE, total),
        "reasons": confirmation.AWAITING_REASONS, "confirmed": confirmed})


@pages.post("/confirmations/{user_id}", dependencies=[require(Permission.USER_CONFIRM)])
def confirm_user_page(session: SessionDep, actor: ActorDep, user_id: IdPath,
                      username: Annotated[str, Form(max_length=150)] = "",
                      role: Annotated[str, Form(max_length=32)] = ""):
    user = confirmation.confirm(session, actor=actor, user_id=user_id, username=username,
                                role=role)
    return redirect(f"/confirmations?confirmed={user.username}")
