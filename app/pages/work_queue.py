"""The work queue (/follow-ups) and the follow-up forms of the queue and the case page.

A follow-up's forms post from either page and come back to it: `back` says which ("queue" or
the case page). A refused form shows that page again with the message.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request

from app.auth import access
from app.auth.permissions import Permission, can
from app.cases import follow_ups
from app.cases.models import Case, FollowUp
from app.cases.schemas import (
    MAX_FOLLOW_UP_NOTE,
    MAX_FOLLOW_UP_TITLE,
    FollowUpCreate,
    FollowUpState,
    FollowUpUpdate,
)
from app.deps import ActorDep, SessionDep, require
from app.forms import error_list, form_page, parse_form
from app.i18n import N_, Labels
from app.pages.routes import render_case
from app.pagination import PageParams
from app.web import redirect, render

pages = APIRouter(include_in_schema=False)

QUEUE = "/follow-ups"
QUEUE_PAGE = PageParams(limit=100, offset=0)
DONE_SHOWN = PageParams(limit=10, offset=0)
FOLLOW_UP_LABELS = Labels(
    {
        "title": N_("What is to be done"),
        "due_on": N_("Due on"),
        "note": N_("Note"),
        "assigned_to_id": N_("Assigned to"),
    }
)
FOLLOW_UP_MESSAGES = Labels({
    "title": f"Say what is to be done, in at most {MAX_FOLLOW_UP_TITLE} characters",
    "due_on": N_("Write the date as year-month-day, for example 2025-11-08"),
    "note": f"At most {MAX_FOLLOW_UP_NOTE} characters",
})


def render_queue(request: Request, session, *, everyone: bool = False, errors=None):
    actor = request.state.actor
    mine = None if everyone else actor.user_id
    waiting, waiting_total = follow_ups.list_follow_ups(
        session, actor=actor, page=QUEUE_PAGE, assigned_to_id=mine,
        states=(FollowUpState.OVERDUE, FollowUpState.DUE))
    done, _ = follow_ups.list_follow_ups(session, actor=actor, page=DONE_SHOWN,
                                         assigned_to_id=mine, states=(FollowUpState.DONE,))
    errors = errors or {}
    return render(request, "cases/work_queue.html", {
        "overdue": [f for f in waiting if f.state is FollowUpState.OVERDUE],
        "due": [f for f in waiting if f.state is FollowUpState.DUE],
        "waiting_total": waiting_total, "done": done, "everyone": everyone,
        "errors": errors, "error_list": error_list(errors, FOLLOW_UP_LABELS),
    })


def _follow_up_page_again(request: Request, session, form: dict, errors: dict[str, str]):
    """The page the follow-up form was posted from, with the message."""
    if form.get("back") == "queue":
        return render_queue(request, session, everyone=form.get("who") == "all",
                            errors=errors)
    if "case_id" in request.path_params:
        case_id = int(request.path_params["case_id"])
    else:
        follow_up = access.get_visible(session, request.state.actor, FollowUp,
                                       int(request.path_params["follow_up_id"]),
                                       action="follow_up.update")
        case_id = follow_up.case_id
    case = access.get_visible(session, request.state.actor, Case, case_id, action="case.read")
    return render_case(request, session, case, errors=errors, follow_up_form=form,
                       labels=FOLLOW_UP_LABELS,
                       error_prefix="f-" if form.get("back") else "fu-")


def _back(back: str, case_id: int, who: str = "") -> str:
    if back == "queue":
        return QUEUE + ("?who=all" if who == "all" else "")
    return f"/cases/{case_id}#follow-ups"


@pages.get(QUEUE, dependencies=[require(Permission.FOLLOW_UP_READ)])
def work_queue(request: Request, session: SessionDep, actor: ActorDep,
               who: Annotated[str, Query(max_length=8)] = ""):
    # a caseworker's own queue unless they ask for everyone's; coordinators see every one
    everyone = who == "all" or not can(actor, Permission.FOLLOW_UP_WRITE)
    return render_queue(request, session, everyone=everyone)


@pages.post("/cases/{case_id}/follow-ups",
            dependencies=[require(Permission.FOLLOW_UP_WRITE), form_page(_follow_up_page_again)])
def add_follow_up(session: SessionDep, actor: ActorDep, case_id: int,
                  title: Annotated[str, Form(max_length=1000)] = "",
                  due_on: Annotated[str, Form(max_length=40)] = "",
                  note: Annotated[str, Form(max_length=10_000)] = ""):
    follow_up_in = parse_form(FollowUpCreate, {"title": title, "due_on": due_on, "note": note},
                              messages=FOLLOW_UP_MESSAGES)
    follow_ups.create_follow_up(session, actor=actor, case_id=case_id,
                                follow_up_in=follow_up_in)
    return redirect(f"/cases/{case_id}#follow-ups")


@pages.post("/follow-ups/{follow_up_id}/done",
            dependencies=[require(Permission.FOLLOW_UP_WRITE), form_page(_follow_up_page_again)])
def mark_done(session: SessionDep, actor: ActorDep, follow_up_id: int,
              note: Annotated[str, Form(max_length=10_000)] = "",
              back: Annotated[str, Form(max_length=8)] = "",
              who: Annotated[str, Form(max_length=8)] = ""):
    update_in = parse_form(FollowUpUpdate, {"done": True, "note": note or None},
                           messages=FOLLOW_UP_MESSAGES)
    done = follow_ups.update_follow_up(session, actor=actor, follow_up_id=follow_up_id,
                                       update_in=update_in)
    return redirect(_back(back, done.case_id, who))


@pages.post("/follow-ups/{follow_up_id}/drop",
            dependencies=[require(Permission.FOLLOW_UP_WRITE), form_page(_follow_up_page_again)])
def drop(session: SessionDep, actor: ActorDep, follow_up_id: int,
         back: Annotated[str, Form(max_length=8)] = "",
         who: Annotated[str, Form(max_length=8)] = ""):
    dropped = follow_ups.update_follow_up(session, actor=actor, follow_up_id=follow_up_id,
                                          update_in=FollowUpUpdate(dropped=True))
    return redirect(_back(back, dropped.case_id, who))


@pages.post("/follow-ups/{follow_up_id}",
            dependencies=[require(Permission.FOLLOW_UP_WRITE), form_page(_follow_up_page_again)])
def change(session: SessionDep, actor: ActorDep, follow_up_id: int,
           title: Annotated[str, Form(max_length=1000)] = "",
           due_on: Annotated[str, Form(max_length=40)] = "",
           back: Annotated[str, Form(max_length=8)] = "",
           who: Annotated[str, Form(max_length=8)] = ""):
    update_in = parse_form(FollowUpUpdate, {"title": title, "due_on": due_on},
                           messages=FOLLOW_UP_MESSAGES)
    changed = follow_ups.update_follow_up(session, actor=actor, follow_up_id=follow_up_id,
                                          update_in=update_in)
    return redirect(_back(back, changed.case_id, who))
