"""One way to handle a form.

A page route declares the page its form lives on with `form_page(render)`. When anything in
the request is wrong with the input — a field FastAPI could not read, a schema that refused
it (`parse_form` raises FormInvalid), a service's InvalidInput or Conflict — the exception
leaves the route, the request's unit of work is rolled back (deps.get_session), and one
handler (`show_again`, called from main.py) renders the same page again in a fresh unit of
work: the values as they were typed, each message beside its field, status 422 (409 for a
conflict). Routes never catch, roll back or build an error dict themselves.

`render(request, session, form, errors)` gets the submitted values (query parameters for a GET
filter form, the posted fields otherwise) and {field: message}; it returns the page. (The
exception itself is in request.state.form_error, for a page that shows more than messages by
field: the roster import's table of rows.)
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, get_args

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from pydantic_core.core_schema import ErrorType
from sqlmodel import Session

from app.errors import AppError, FormInvalid, InvalidInput
from app.i18n import N_, _, format_number
from app.labels import CHOSEN_FIELDS, FIELD_WORDS
from app.web import CSRF_FIELD

FormRenderer = Callable[[Request, Session, dict[str, Any], dict[str, str]], Response]
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class FormPage:
    render: FormRenderer
    values: dict[str, Any]


def form_page(render: FormRenderer):
    """A route dependency: the page to show again, with its values, when the input is wrong."""

    async def declare(request: Request) -> None:
        request.state.form_page = FormPage(render, await submitted_values(request))

    return Depends(declare)


async def submitted_values(request: Request) -> dict[str, Any]:
    if request.method in ("GET", "HEAD"):
        return dict(request.query_params)
    form = await request.form()  # parsed once per request; FastAPI's own read is cached
    return {name: value for name, value in form.multi_items()
            if isinstance(value, str) and name != CSRF_FIELD}


def _field_of(loc) -> str:
    # ("body", "answers", "CD1") -> "CD1"; ("body", "languages", 0) -> "languages"
    names = [str(part) for part in loc or () if isinstance(part, str)
             and part not in ("body", "query", "path")]
    return names[-1] if names else "form"


_DATE = N_("Enter a date like 2025-10-25")
_CHOOSE = N_("Choose one of the options offered")
# pydantic's error types, in words that say what to do (its own messages are for developers)
_BY_TYPE = {
    "int_parsing": N_("Enter a whole number, like 25"),
    "int_type": N_("Enter a whole number, like 25"),
    "int_from_float": N_("Enter a whole number, like 25"),
    "float_parsing": N_("Enter a number, like 2.5"), "float_type": N_("Enter a number, like 2.5"),
    "decimal_parsing": N_("Enter a number, like 2.5"),
    "date_parsing": _DATE, "date_type": _DATE, "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE, "datetime_parsing": _DATE, "datetime_type": _DATE,
    "datetime_from_date_parsing": _DATE,
    "date_future": N_("Enter a date that is not in the future"),
    "date_past": N_("Enter a date in the past"),
    "time_parsing": N_("Enter a time like 14:30"), "time_type": N_("Enter a time like 14:30"),
    "bool_parsing": N_("Choose yes or no"), "bool_type": N_("Choose yes or no"),
    "enum": _CHOOSE, "literal_error": _CHOOSE, "list_type": _CHOOSE,
    "string_pattern_mismatch": N_("Use only letters, numbers and the signs . @ + - _, without "
                               "spaces"),
    "string_type": N_("Enter text here"),
    "url_parsing": N_("Enter a web address like https://..."),
    "too_long": N_("Choose fewer"),
    "extra_forbidden": N_("Leave this out: the form has no such field"),
}


_PYDANTIC_TYPES = frozenset(get_args(ErrorType))


def _message(text: str) -> str:
    return text.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def plain_message(field: str, error: Mapping[str, Any]) -> str:
    """What to do about one of pydantic's (or FastAPI's) errors, in words: the app's own
    messages (a validator's) as they are, the framework's by the kind of error."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    words = FIELD_WORDS.get(field)
    chosen = field in CHOSEN_FIELDS
    if kind in ("value_error", "assertion_error") or kind not in _PYDANTIC_TYPES:
        return _message(error.get("msg", ""))  # the app's own words (app.bounds, validators)
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        if not words:
            return _("Fill this in: it cannot be left empty")
        return (_("Choose %(field)s") if chosen else _("Enter %(field)s")) % {"field": words}
    if chosen and kind in ("int_parsing", "int_type", "string_too_long", "string_too_short",
                           "greater_than_equal", "greater_than", "less_than_equal",
                           "less_than", "bool_parsing", "string_pattern_mismatch"):
        return _(_CHOOSE)  # a value the form never offered
    if kind == "string_too_short":
        return _("Use at least %(count)s characters") % {
            "count": format_number(ctx.get("min_length"))}
    if kind == "string_too_long":
        return _("Shorten this to %(count)s characters or fewer") % {
            "count": format_number(ctx.get("max_length"))}
    if kind in ("greater_than_equal", "greater_than"):
        bound = format_number(ctx.get("ge", ctx.get("gt")))
        if "ge" in ctx:
            return _("Enter a number of at least %(bound)s") % {"bound": bound}
        return _("Enter a number greater than %(bound)s") % {"bound": bound}
    if kind in ("less_than_equal", "less_than"):
        bound = format_number(ctx.get("le", ctx.get("lt")))
        if "le" in ctx:
            return _("Enter a number no greater than %(bound)s") % {"bound": bound}
        return _("Enter a number less than %(bound)s") % {"bound": bound}
    if kind in _BY_TYPE:
        return _(_BY_TYPE[kind])
    return _("Check what you entered here: Passage cannot read it")


def validation_errors(errors) -> dict[str, str]:
    """{field: message in words} from pydantic's (or FastAPI's) error list, the first per
    field."""
    fields: dict[str, str] = {}
    for error in errors:
        field = _field_of(error.get("loc"))
        if field not in fields:
            fields[field] = plain_message(field, error)
    return fields


def messages_with_fields(errors: Mapping[str, str]) -> list[str]:
    """Each message with the words of its field where the page cannot show it beside one
    ("The given name: Enter the given name" reads badly, so a message naming its field is
    left alone)."""
    listed = []
    for field, message in errors.items():
        words = FIELD_WORDS.get(field)
        if words and words not in message:
            listed.append(_("%(field)s: %(message)s") % {
                "field": f"{words[0].upper()}{words[1:]}", "message": message})
        else:
            listed.append(message)
    return listed


def field_errors(exc: Exception) -> dict[str, str]:
    """{field: message} for any error a form can be shown again with."""
    if isinstance(exc, FormInvalid):
        return dict(exc.fields)
    if isinstance(exc, InvalidInput):
        return validation_errors(exc.errors)
    if isinstance(exc, (RequestValidationError, ValidationError)):
        return validation_errors(exc.errors())
    if isinstance(exc, AppError):
        return {"form": str(exc.detail)}
    return {"form": _("The form could not be saved")}


def parse_form(model: type[Model], values: Mapping[str, Any], *,
               rename: Mapping[str, str] | None = None,
               messages: Mapping[str, str] | None = None) -> Model:
    """The values read by `model`, or FormInvalid naming the fields as the form does
    (`rename`: schema field → form field) in the form's own words where given (`messages`).
    The form is shown again with the values as submitted, not as prepared for the model."""
    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        errors = rename_fields(validation_errors(exc.errors()), rename or {})
        for name, message in (messages or {}).items():
            if name in errors:
                errors[name] = message
        raise FormInvalid(errors) from None


def rename_fields(errors: Mapping[str, str], rename: Mapping[str, str]) -> dict[str, str]:
    return {rename.get(name, name): message for name, message in errors.items()}


def error_list(errors: Mapping[str, str], labels: Mapping[str, str] | None = None, *,
               id_prefix: str = "f-") -> list[dict[str, str]]:
    """The error summary's entries: each links to its field (when the page has it)."""
    labels = labels or {}
    return [{"field": name if name != "form" else "",
             "id": f"{id_prefix}{name}" if name != "form" else "",
             "label": labels.get(name, ""), "message": message}
            for name, message in errors.items()]


def show_again(request: Request, exc: Exception, *, status_code: int) -> Response | None:
    """The declared page again, with the values and the messages; None when the route
    declared no form page. Runs in a unit of work of its own: the request's was rolled back."""
    page: FormPage | None = getattr(request.state, "form_page", None)
    if page is None:
        return None
    request.state.form_page = None  # shown once: an error on the page itself is not a loop
    request.state.form_error = exc  # for a page that shows more than messages by field
    values = page.values
    if isinstance(exc, FormInvalid) and exc.values is not None:
        values = exc.values
    with request.app.state.session_factory() as session:
        response = page.render(request, session, dict(values), field_errors(exc))
        session.commit()  # the page's own reads are audited
    response.status_code = status_code
    return response
