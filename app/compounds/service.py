from sqlmodel import Session, func, or_, select

from app import audit
from app.audit.service import Actor
from app.compounds.models import Compound
from app.compounds.schemas import CompoundCreate
from app.errors import Conflict, field_error
from app.i18n import _
from app.nationalities.models import Nationality
from app.pagination import PageParams, paginate


def list_compounds(session: Session, *, page: PageParams) -> tuple[list[Compound], int]:
    return paginate(session, select(Compound).order_by(Compound.name), page)


def find_by_name(session: Session, name: str) -> Compound | None:
    """The compound of this name, whatever its case; or of exactly this name (SQLite's lower()
    folds ASCII letters only, and the names' unique index compares them as stored)."""
    return session.exec(
        select(Compound).where(or_(Compound.name == name,
                                   func.lower(Compound.name) == name.strip().lower()))
    ).first()


def create_compound(session: Session, *, actor: Actor, compound_in: CompoundCreate) -> Compound:
    if session.get(Nationality, compound_in.country_code) is None:
        raise field_error("country_code", _("Not an ISO 3166-1 alpha-2 country code"))
    if find_by_name(session, compound_in.name):
        raise Conflict(_("A compound with this name already exists"))
    compound = Compound(**compound_in.model_dump(), created_by_id=actor.user_id)
    session.add(compound)
    session.flush()
    audit.record(session, actor=actor, action="compound.create", entity_type="compound",
                 entity_id=compound.id)
    return compound
