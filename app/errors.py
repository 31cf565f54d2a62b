"""Application errors. Services raise these, never HTTPException; one handler renders them."""

from collections.abc import Mapping
from typing import Any

from app.i18n import N_, gettext


class AppError(Exception):
    status_code = 400
    default_detail = N_("Bad request")

    def __init__(self, detail: Any = None, *, headers: dict[str, str] | None = None):
        # the class's default in the reader's language; a given detail is already in words
        self.detail = detail if detail is not None else gettext(self.default_detail)
        self.headers = headers
        super().__init__(str(self.detail))


class NotAuthenticated(AppError):
    status_code = 401
    default_detail = N_("Not signed in")

    def __init__(self, detail: Any = None):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class AuditedRefusal(AppError):
    """A refusal the error handler writes to the audit log: what was attempted, on what."""

    def __init__(self, detail: Any = None, *, action: str = "", entity_type: str = "",
                 entity_id: str | int | None = None):
        super().__init__(detail)
        self.action = action
        self.entity_type = entity_type
        self.entity_id = entity_id


class PermissionDenied(AuditedRefusal):
    status_code = 403
    default_detail = N_("Your role does not allow this")


class NotFound(AppError):
    status_code = 404
    default_detail = N_("Not found")


class Hidden(AuditedRefusal, NotFound):
    """A record that exists but is outside the caller's scope: answered as 404 so that its
    existence does not leak, and audited as a refused access."""


class Conflict(AppError):
    status_code = 409
    default_detail = N_("Conflict")


class TooLarge(AppError):
    status_code = 413
    default_detail = N_("Too large")


class InvalidInput(AppError):
    """422 naming the fields: detail is a list of {loc, msg, type}."""

    status_code = 422

    def __init__(self, errors: list[dict[str, Any]] | str, *, field: str | None = None):
        if isinstance(errors, str):
            errors = [{"loc": ["body", field] if field else ["body"], "msg": errors,
                       "type": "value_error"}]
        super().__init__(errors)
        self.errors = errors


class FormInvalid(InvalidInput):
    """What is wrong with a submitted form (or a page's filters), field by field and in words,
    with the values as they were typed. A page that declared its form (app.forms.form_page)
    is shown again with them, status 422, and nothing of the request is stored; the API
    answers 422 naming the fields."""

    def __init__(self, errors: Mapping[str, str], *, values: Mapping[str, Any] | None = None,
                 where: str = "body"):
        super().__init__([{"loc": [where, name], "msg": message, "type": "value_error"}
                          for name, message in errors.items()])
        self.fields = dict(errors)
        self.values = dict(values) if values is not None else None


class TooManyRequests(AppError):
    status_code = 429
    default_detail = N_("Too many attempts; try again later")


def field_error(field: str, message: str, *, where: str = "body") -> InvalidInput:
    return InvalidInput([{"loc": [where, field], "msg": message, "type": "value_error"}])
