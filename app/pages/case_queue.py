"""The cases list as a caseworker's work queue: each case with its person, nationality, status,
the next step it waits for and since when; filtered by next step and sorted by the server.

The next step is kept on the case (app.cases.next_step): the database filters, sorts and pages
by columns of the cases' own rows, which indexes serve.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import case, func, literal, or_, union_all
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.cases import next_step as steps
from app.cases.models import Case
from app.cases.next_step import NextStep
from app.cases.routes import READ_CASE
from app.clock import local_today
from app.deps import ActorDep, SessionDep
from app.forms import error_list, form_page
from app.i18n import N_, Labels
from app.labels import CASE_STATUS_LABELS, NEXT_STEP_LABELS
from app.nationalities.service import nationality_names
from app.pagination import MAX_OFFSET, OffsetQuery, PageParams, count_rows, pager
from app.people.models import Person
from app.web import render

pages = APIRouter(include_in_schema=False)
QUEUE_LIMIT = 50


class Sort(StrEnum):
    WAITING = "waiting"  # longest waiting first
    NAME = "name"
    NATIONALITY = "nationality"
    STATUS = "status"
    NEXT = "next"
    OPENED = "opened"  # newest first
    REFERENCE = "reference"


@dataclass(frozen=True)
class QueueRow:
    id: int
    reference: str
    name: str
    nationality_code: str | None
    nationality: str
    status: str
    next_step: str
    waiting_since: date | None
    waited_days: int | None
    assigned_to_id: int | None


def _waited_days(since: date | None, today: date) -> int | None:
    if since is None:
        return None
    return max(0, (today - since).days)


def case_queue(session: Session, *, actor: Actor, page: PageParams,
               next_step: NextStep | None = None, sort: str = Sort.WAITING.value,
               reference: str | None = None, assigned_to_id: int | None = None,
               waiting_only: bool = False) -> tuple[list[QueueRow], int]:
    """The cases the actor may see, each with its next step and since when it has waited;
    `sort` is a Sort, "-" before it for the other way round. The total is counted up to
    COUNT_LIMIT + 1 (app.pagination)."""
    today = local_today()
    conditions = [access.visible(actor, Case)]
    if reference:
        conditions.append(Case.reference == reference.strip().upper())
    if assigned_to_id is not None:
        conditions.append(Case.assigned_to_id == assigned_to_id)
    if next_step is not None:
        chosen = [next_step]
    elif waiting_only:
        chosen = [s for s in STEP_ORDER if s not in IDLE]
    else:
        chosen = list(STEP_ORDER)
    # every case is waiting for one of the steps: all of them, no condition
    admitted = ([] if chosen == STEP_ORDER else
                [or_(*(steps.current_condition(s, today) for s in chosen))])
    if Sort(sort.lstrip("-")) is Sort.WAITING:
        statement = _longest_waiting(conditions, chosen, page, today,
                                     descending=sort.startswith("-"))
    else:
        statement = (select(*QUEUE_COLUMNS, *PERSON_COLUMNS)
                     .join(Person, Person.id == Case.person_id)
                     .where(*conditions, *admitted)
                     .order_by(*_order(sort, today), Case.id.desc())
                     .limit(page.limit).offset(page.offset))
    # counted over the cases alone: each has its person
    total = count_rows(session, select(Case.id).where(*conditions, *admitted))
    rows = session.exec(statement).all()
    names = nationality_names(session)
    queue = []
    for row in rows:
        step = steps.current(row.next_step, row.follow_up_due_on, today)
        since = steps.waiting_since(step, row.waiting_on, row.follow_up_due_on)
        queue.append(QueueRow(
            id=row.id, reference=row.reference,
            name=f"{row.given_name} {row.family_name}".strip(),
            nationality_code=row.nationality_code,
            nationality=names.get(row.nationality_code or "", ""), status=row.status,
            next_step=step.value, waiting_since=since, waited_days=_waited_days(since, today),
            assigned_to_id=row.assigned_to_id))
    audit.record(session, actor=actor, action="case.list", entity_type="case",
                 detail={"returned": len(queue), "queue": True})
    return queue, total


# what a row of the queue shows of its case and person
QUEUE_COLUMNS = (Case.id, Case.reference, Case.status, Case.assigned_to_id, Case.person_id,
                 Case.next_step, Case.waiting_on, Case.follow_up_due_on)
PERSON_COLUMNS = (Person.given_name, Person.family_name, Person.nationality_code)
STEP_ORDER = [NextStep.INTERVIEW, NextStep.DECIDE, NextStep.FOLLOW_UP, NextStep.REFERRAL,
              NextStep.NONE, NextStep.CLOSED]
# waiting for nothing: after the cases that wait, in this order, either way round
IDLE = {NextStep.NONE: 1, NextStep.CLOSED: 2}


def _longest_waiting(conditions: list, chosen: list[NextStep], page: PageParams, today: date,
                     *, descending: bool):
    """The page of the cases waiting for the steps `chosen`, by the (Thai) day each wait
    began, the longest first (the days the page shows; a tie, the newest case first); those
    waiting for nothing last either way. Each step's cases are read in order from its index
    (organisation, next step, day), as far as the page goes, and the page is taken from
    those few: one sort of every case of an organisation by an expression of today took
    hundreds of milliseconds at 100,000 cases."""
    reach = page.offset + page.limit
    parts = []
    for step in chosen:
        day = Case.follow_up_due_on if step is NextStep.FOLLOW_UP else Case.waiting_on
        # waiting for nothing, no day (NULL): newest first, as the index holds them backwards
        order = [day.desc() if descending or step in IDLE else day.asc(), Case.id.desc()]
        # what the page shows: the index gives each step's cases in order, their rows are
        # read for the ids anyway, and the page needs no second visit to the cases
        part = (select(*QUEUE_COLUMNS, literal(IDLE.get(step, 0)).label("idle"))
                .where(*conditions, steps.current_condition(step, today))
                .order_by(*order).limit(reach).subquery())
        parts.append(select(*part.c))
    waiting = union_all(*parts).subquery("waiting")
    ranked = (select(*waiting.c).order_by(*_waiting_order(waiting.c, today, descending))
              .limit(page.limit).offset(page.offset).subquery("ranked"))
    return (select(ranked, *PERSON_COLUMNS).join(Person, Person.id == ranked.c.person_id)
            .order_by(*_waiting_order(ranked.c, today, descending)))


def _waiting_order(columns, today: date, descending: bool) -> list:
    """idle, the day the wait began (none when waiting for nothing), the newest case first."""
    due = columns.follow_up_due_on <= today
    day = case((due, columns.follow_up_due_on), else_=columns.waiting_on)
    return [columns.idle, day.desc() if descending else day.asc(), columns.id.desc()]


def _order(sort: str, today: date) -> list:
    descending = sort.startswith("-")
    key = Sort(sort.lstrip("-"))
    current = steps.current_step(today)
    column = {
        Sort.NAME: func.lower(Person.given_name + " " + Person.family_name),
        Sort.NATIONALITY: Person.nationality_code,
        Sort.STATUS: Case.status,
        Sort.NEXT: case(*((current == s.value, i) for i, s in enumerate(STEP_ORDER)),
                        else_=99),
        Sort.OPENED: Case.created_at,
        Sort.REFERENCE: Case.reference,
    }[key]
    if key is Sort.OPENED:
        descending = not descending  # newest first unless asked otherwise
    return [column.desc() if descending else column.asc()]


SORT_VALUES = [s.value for s in Sort] + [f"-{s.value}" for s in Sort]


def render_queue_page(request: Request, session: Session, form: dict,
                      errors: dict[str, str]):
    actor = request.state.actor
    chosen = form.get("next_step") or ""
    step = NextStep(chosen) if chosen in NextStep.__members__.values() else None
    sort = form.get("sort") if form.get("sort") in SORT_VALUES else Sort.WAITING.value
    reference = (form.get("reference") or "")[:32]
    try:
        offset = max(0, min(int(form.get("offset") or 0), MAX_OFFSET))
    except ValueError:
        offset = 0
    page = PageParams(limit=QUEUE_LIMIT, offset=offset)
    rows, total = case_queue(session, actor=actor, page=page, next_step=step, sort=sort,
                             reference=reference if not errors.get("reference") else None)
    query = {k: v for k, v in (("next_step", chosen if step else ""), ("reference", reference),
                               ("sort", sort if sort != Sort.WAITING.value else "")) if v}
    return render(request, "cases/index.html", {
        "cases": rows, "total": total, "form": {"next_step": chosen, "reference": reference},
        "sort": sort, "query": query, "errors": errors,
        "error_list": error_list(errors, QUEUE_LABELS, id_prefix="q-"),
        "next_step_labels": NEXT_STEP_LABELS, "status_labels": CASE_STATUS_LABELS,
        "step_options": [(s.value, NEXT_STEP_LABELS[s.value]) for s in STEP_ORDER],
        "can_write": can(actor, Permission.CASE_WRITE), **pager(offset, QUEUE_LIMIT, total)})


QUEUE_LABELS = Labels(
    {"next_step": N_("Next step"), "reference": N_("Case reference"), "sort": N_("Sort")}
)


@pages.get("/cases", dependencies=[READ_CASE, form_page(render_queue_page)])
def cases_page(request: Request, session: SessionDep, actor: ActorDep,
               next_step: Annotated[NextStep | None, Query()] = None,
               reference: Annotated[str | None, Query(max_length=32)] = None,
               sort: Annotated[str | None, Query(max_length=16)] = None,
               offset: OffsetQuery = 0):
    form = {"next_step": next_step.value if next_step else "", "reference": reference or "",
            "sort": sort or "", "offset": offset}
    return render_queue_page(request, session, form, {})


def home_queue(session: Session, *, actor: Actor, limit: int = 8) -> tuple[list[QueueRow], int]:
    """The home page's share of the queue: the actor's own cases that wait for a step,
    longest waiting first."""
    return case_queue(session, actor=actor, page=PageParams(limit=limit, offset=0),
                      assigned_to_id=actor.user_id, sort=Sort.WAITING.value,
                      waiting_only=True)


