"""Turning validation errors into {field: message} for forms re-rendered with their errors."""

from pydantic import ValidationError

from app.errors import AppError, InvalidInput


def form_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for e in exc.errors():
        field = str(e["loc"][-1]) if e.get("loc") else "form"
        errors.setdefault(field, e["msg"].removeprefix("Value error, "))
    return errors


def app_error_fields(exc: AppError) -> dict[str, str]:
    if isinstance(exc, InvalidInput):
        return {str(e["loc"][-1]) if e.get("loc") else "form": e["msg"] for e in exc.errors}
    return {"form": str(exc.detail)}
