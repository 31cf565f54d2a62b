"""The cases list as a caseworker's work queue: each case with its person, nationality, status,
the next step it waits for and since when; filtered by next step and sorted by the server.

The next step, in the order a case meets them: an intake interview; a determination; a
follow-up due (today or before); a referral the receiving service has not answered; nothing.
A closed case waits for nothing. Next step and waiting time are SQL expressions, so that the
database filters, sorts and pages by them.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import and_, case, exists, func, literal
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.cases.lifecycle import active_condition
from app.cases.models import Case, Determination, FollowUp, Interview, Screening
from app.cases.routes import READ_CASE
from app.clock import local_date, local_day, local_today
from app.deps import ActorDep, SessionDep
from app.forms import error_list, form_page
from app.i18n import N_, Labels
from app.labels import CASE_STATUS_LABELS, NEXT_STEP_LABELS
from app.nationalities.service import nationality_names
from app.pagination import OffsetQuery, PageParams, pager, paginate
from app.people.models import Person
from app.referrals.models import Referral
from app.web import render

pages = APIRouter(include_in_schema=False)
QUEUE_LIMIT = 50


class NextStep(StrEnum):
    INTERVIEW = "interview"
    DECIDE = "decide"
    FOLLOW_UP = "follow_up"
    REFERRAL = "referral"
    NONE = "none"
    CLOSED = "closed"


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
    waiting_since: datetime | date | None
    waited_days: int | None
    assigned_to_id: int | None


def _expressions(today: date):
    interviewed = exists().where(Interview.case_id == Case.id)
    decided = exists().where(Determination.case_id == Case.id)
    due = and_(FollowUp.case_id == Case.id, FollowUp.done.is_(False),
               FollowUp.dropped_at.is_(None), FollowUp.due_on <= today)
    follow_up_due = exists().where(due)
    pending = and_(Referral.case_id == Case.id, Referral.status == "pending")
    referral_pending = exists().where(pending)
    active = active_condition()
    next_step = case(
        (~active, literal(NextStep.CLOSED.value)),
        (~interviewed, literal(NextStep.INTERVIEW.value)),
        (~decided, literal(NextStep.DECIDE.value)),
        (follow_up_due, literal(NextStep.FOLLOW_UP.value)),
        (referral_pending, literal(NextStep.REFERRAL.value)),
        else_=literal(NextStep.NONE.value))
    # since when the case has waited for its next step (nothing, when it waits for nothing)
    screened_at = (select(func.max(Screening.created_at))
                   .where(Screening.case_id == Case.id).scalar_subquery())
    due_since = select(func.min(FollowUp.due_on)).where(due).scalar_subquery()
    referred_at = select(func.min(Referral.updated_at)).where(pending).scalar_subquery()
    return next_step, {
        NextStep.INTERVIEW: Case.created_at, NextStep.DECIDE: screened_at,
        NextStep.FOLLOW_UP: due_since, NextStep.REFERRAL: referred_at}


def _waited_days(since: datetime | date | None, today: date) -> int | None:
    if since is None:
        return None
    day = local_date(since) if isinstance(since, datetime) else since
    return max(0, (today - day).days)


def case_queue(session: Session, *, actor: Actor, page: PageParams,
               next_step: NextStep | None = None, sort: str = Sort.WAITING.value,
               reference: str | None = None, assigned_to_id: int | None = None,
               waiting_only: bool = False) -> tuple[list[QueueRow], int]:
    """The cases the actor may see, each with its next step and since when it has waited;
    `sort` is a Sort, "-" before it for the other way round."""
    today = local_today()
    step, since_by_step = _expressions(today)
    # the start of the wait, one column per step (each of its own type)
    since_columns = [since_by_step[s].label(f"since_{s.value}") for s in since_by_step]
    statement = (select(Case, Person, step.label("next_step"), *since_columns)
                 .join(Person, Person.id == Case.person_id)
                 .where(access.visible(actor, Case)))
    if next_step is not None:
        statement = statement.where(step == next_step.value)
    if reference:
        statement = statement.where(Case.reference == reference.strip().upper())
    if assigned_to_id is not None:
        statement = statement.where(Case.assigned_to_id == assigned_to_id)
    if waiting_only:
        statement = statement.where(step.notin_([NextStep.NONE.value, NextStep.CLOSED.value]))
    statement = statement.order_by(*_order(sort, step, since_by_step), Case.id.desc())
    rows, total = paginate(session, statement, page)
    names = nationality_names(session)
    queue = []
    for row in rows:
        case_row, person, step_value = row[0], row[1], row[2]
        since_values = dict(zip(since_by_step, row[3:], strict=True))
        since = since_values.get(NextStep(step_value))
        queue.append(QueueRow(
            id=case_row.id, reference=case_row.reference,
            name=f"{person.given_name} {person.family_name}".strip(),
            nationality_code=person.nationality_code,
            nationality=names.get(person.nationality_code or "", ""), status=case_row.status,
            next_step=step_value, waiting_since=since, waited_days=_waited_days(since, today),
            assigned_to_id=case_row.assigned_to_id))
    audit.record(session, actor=actor, action="case.list", entity_type="case",
                 detail={"returned": len(queue), "queue": True})
    return queue, total


STEP_ORDER = [NextStep.INTERVIEW, NextStep.DECIDE, NextStep.FOLLOW_UP, NextStep.REFERRAL,
              NextStep.NONE, NextStep.CLOSED]


def _order(sort: str, step, since_by_step) -> list:
    descending = sort.startswith("-")
    key = Sort(sort.lstrip("-"))
    if key is Sort.WAITING:
        # by the (Thai) day the wait began, oldest first, the days the page shows; a case
        # waiting for nothing last either way (a follow-up's due date is a day already; the
        # others are moments)
        day = case(*((step == s.value, since_by_step[s] if s is NextStep.FOLLOW_UP
                      else local_day(since_by_step[s])) for s in since_by_step), else_=None)
        idle = case((step == NextStep.NONE.value, 1), (step == NextStep.CLOSED.value, 2),
                    else_=0)
        return [idle, day.desc() if descending else day.asc()]
    column = {
        Sort.NAME: func.lower(Person.given_name + " " + Person.family_name),
        Sort.NATIONALITY: Person.nationality_code,
        Sort.STATUS: Case.status,
        Sort.NEXT: case(*((step == s.value, i) for i, s in enumerate(STEP_ORDER)), else_=99),
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
        offset = max(0, min(int(form.get("offset") or 0), 10_000_000))
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


