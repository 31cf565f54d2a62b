"""The one definition of a case's current suggestion and latest determination, by ids (times
could tie, or be set back, and would not decide):

- the current suggestion is, on the case's latest interview, the newest rules version's.
  Re-screening adds suggestions for older interviews too, so the newest row is not it;
- the latest determination is the one recorded last: the highest id.

What they are as things stand is kept on the case (`Case.latest_suggestion`,
`Case.latest_outcome`, by app.cases.next_step.refresh, from `latest_value`): read those
there; these subqueries remain for the rows themselves and for "as it stood then" (`before`)."""

from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.cases.models import Case, Determination, Screening


def newest_first(row) -> tuple:
    """The order that puts a case's current row of Screening or Determination (or an alias of
    either) first."""
    if row.__mapper__.class_ is Screening:
        return (row.interview_id.desc(), row.rules_version.desc())
    if row.__mapper__.class_ is Determination:
        return (row.id.desc(),)
    raise TypeError(f"no latest row is defined for {row}")


def recorded_at(row):
    """When a row of Screening or Determination (or an alias of either) was recorded."""
    if row.__mapper__.class_ is Screening:
        return row.created_at
    if row.__mapper__.class_ is Determination:
        return row.decided_at
    raise TypeError(f"no recording time is defined for {row}")


def latest_value(model, attribute: str, case_id: ColumnElement[int] = Case.id, *,
                 before: datetime | None = None) -> ScalarSelect:
    """`attribute` of the current row of `model` for the case whose id is `case_id` (a column
    of the enclosing statement), as a correlated subquery; NULL when the case has none.
    `before`: the current row as it stood then, of the rows recorded before it."""
    row = aliased(model)
    conditions = [row.case_id == case_id]
    if before is not None:
        conditions.append(recorded_at(row) < before)
    return (select(getattr(row, attribute)).where(*conditions)
            .order_by(*newest_first(row)).limit(1).correlate_except(row).scalar_subquery())


def current_screening_id(case_id: ColumnElement[int]) -> ScalarSelect[int]:
    return latest_value(Screening, "id", case_id)


def latest_row(session: Session, model, case_id: int):
    """The case's current row of `model`, or None."""
    return session.exec(select(model).where(model.case_id == case_id)
                        .order_by(*newest_first(model)).limit(1)).first()
