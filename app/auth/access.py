"""Row-level access: which rows of each table an actor may see, and loading one of them.

Permissions (permissions.py) say what a role may do; the rules here say on which rows. Each
domain registers, for its model, the rule of the rows an actor may see: a SQL condition, so
that lists, exports, searches and single-record loads all ask the database the same question.
A domain above may widen the rule of a model below it (the cases domain: a caseworker sees
the people and the crossings of their organisation's cases); a row is visible when any of its
model's rules allows it.

A row outside the rules is answered 404, as if it did not exist, and the attempt is audited
(errors.Hidden); a row that does not exist is a plain 404 (errors.NotFound).

A user awaiting confirmation (the two-person rule, app.auth.confirmation: someone an
administrator created, moved to another organisation, gave another role or a set-password
code) sees no row of any model, whatever the rules say, until a caseworker or coordinator of
their organisation confirms them.

A model may have rows that stand for another row (a person's record merged into another is
kept as a tombstone pointing at the survivor): registered with `forward`, the column holding
that pointer, such rows are never visible themselves, and loading one by its id loads the row
it points to, under that row's rules.

The rules are registered by each domain's `access` module, imported with the tables by the
entry points (app.models); asking about a model without a rule is a programming error.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, select

from app.audit.service import Actor
from app.errors import Hidden, NotFound

Rule = Callable[[Actor], ColumnElement[bool]]
Model = TypeVar("Model")


@dataclass(frozen=True)
class _Registered:
    rule: Rule
    entity_type: str  # as the audit log names the model
    not_found: str  # the 404's message, the same whether the row is missing or hidden
    forward: Any = None  # the column of a row that points to the row standing for it


_REGISTERED: dict[type, _Registered] = {}
_WIDENED: dict[type, list[Rule]] = defaultdict(list)


def register(model: type, *, entity_type: str, not_found: str,
             forward: Any = None) -> Callable[[Rule], Rule]:
    """Decorator: `rule(actor)` is the condition on `model` of the rows actor may see.
    `forward`: the column pointing a row to the row that stands for it (see above)."""

    def decorator(rule: Rule) -> Rule:
        if model in _REGISTERED:
            raise RuntimeError(f"{model.__name__} already has an access rule")
        _REGISTERED[model] = _Registered(rule, entity_type, not_found, forward)
        return rule

    return decorator


def widen(model: type) -> Callable[[Rule], Rule]:
    """Decorator: a further rule for a model registered by a domain below; the rows of
    either rule are visible."""

    def decorator(rule: Rule) -> Rule:
        _WIDENED[model].append(rule)
        return rule

    return decorator


def _registered(model: type) -> _Registered:
    try:
        return _REGISTERED[model]
    except KeyError:
        raise LookupError(f"No access rule for {model.__name__}: import app.models "
                          "(every table and its access rule) first") from None


# Building a rule's condition (subqueries, aliases) cost more than running it on a people
# search; the conditions are kept, per model and everything of the actor a rule may read. A
# rule is a function of those alone (role, active, awaiting confirmation, Passage-wide admin,
# organisation, user id), never of the request or the time; it may use no other attribute of
# the actor. A condition is an immutable SQL expression that any number of statements and
# threads may use at once. Bounded: emptied when it holds more than _VISIBLE_MAX.
_VISIBLE: dict[tuple, ColumnElement[bool]] = {}
_VISIBLE_MAX = 4096


def visible(actor: Actor, model: type) -> ColumnElement[bool]:
    """The condition on `model` of the rows actor may see."""
    _registered(model)  # a model without a rule is a programming error, whoever asks
    key = (model, actor.role, actor.is_active, actor.awaiting_confirmation,
           actor.global_admin, actor.organization_id, actor.user_id)
    condition = _VISIBLE.get(key)
    if condition is None:
        condition = _condition(actor, model)
        if len(_VISIBLE) >= _VISIBLE_MAX:
            _VISIBLE.clear()
        _VISIBLE[key] = condition
    return condition


def _condition(actor: Actor, model: type) -> ColumnElement[bool]:
    registered = _registered(model)
    if actor.awaiting_confirmation:
        return false()  # the two-person rule (above)
    rules = [registered.rule, *_WIDENED.get(model, ())]
    allowed = or_(*(rule(actor) for rule in rules))
    if registered.forward is not None:
        return and_(registered.forward.is_(None), allowed)
    return allowed


# a bound on a chain of forwards: merges repoint earlier tombstones, so one step is the rule
MAX_FORWARDS = 8


def standing_for(session: Session, model: Any, row_id: int) -> int:
    """The id of the row that stands for row `row_id` (itself, unless it was forwarded)."""
    forward = _registered(model).forward
    if forward is None:
        return row_id
    for _ in range(MAX_FORWARDS):
        target = session.exec(select(forward).where(model.id == row_id)).first()
        if target is None:
            return row_id
        row_id = target
    return row_id


def is_visible(session: Session, actor: Actor, model: Any, row_id: int) -> bool:
    return session.exec(
        select(model.id).where(model.id == row_id, visible(actor, model))
    ).first() is not None


def get_visible(session: Session, actor: Actor, model: type[Model], row_id: int, *,
                action: str) -> Model:
    """The row, or 404: NotFound when there is none, Hidden (audited as a refused `action`)
    when it is outside what actor may see, so that its existence does not leak. A forwarded
    row's id loads the row standing for it."""
    registered = _registered(model)
    row_id = standing_for(session, model, row_id)
    row = session.exec(select(model).where(model.id == row_id, visible(actor, model))).first()
    if row is not None:
        return row
    if session.get(model, row_id) is None:
        raise NotFound(registered.not_found)
    raise Hidden(registered.not_found, action=action, entity_type=registered.entity_type,
                 entity_id=row_id)
