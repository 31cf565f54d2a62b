"""The indicator catalogue of SCREENING.md, served as part of the public contract."""

from fastapi import APIRouter

from app.deps import CurrentUser
from app.screening.catalogue import catalogue_as_dict

api = APIRouter(prefix="/api/v1", tags=["screening"])


@api.get("/screening/indicators")
def list_indicators(user: CurrentUser) -> dict:
    """Every dimension and indicator with its code, strength, question and CTDC field.

    The catalogue holds no personal data; any signed-in user may read it."""
    return catalogue_as_dict()
