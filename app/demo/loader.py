"""`passage demo`: a synthetic data set modelled on the KK Park exodus of October 2025.

Seeded, so every run builds the same data, and idempotent: a second run adds nothing."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, select

from app import audit
from app.admin import service as admin_service
from app.admin.schemas import UserCreate
from app.auth import service as auth_service
from app.auth.models import Organization, User
from app.auth.permissions import Role
from app.cases import next_step
from app.compounds.models import Compound
from app.config import get_settings
from app.demo import steps
from app.demo.roster import COMPOUNDS
from app.models import new_session

SEED = 2025
ROSTER_SIZE = 1500


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    organization: str
    full_name: str
    global_admin: bool = False  # as `passage grant-global-admin` gives it

    @property
    def password(self) -> str:
        # Demo passwords are public by design; `passage demo` refuses to run in production.
        return f"passage-demo-{self.username}"


DEMO_ORGANIZATIONS: tuple[tuple[str, str], ...] = (
    ("Border Care Foundation", "ngo"),
    ("Safe Return Legal Aid", "ngo"),
    ("Mae Sot Border Post", "border_post"),
    ("Tak Coordination Office", "coordination"),
)

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("caseworker", Role.CASEWORKER, "Border Care Foundation", "Naw Htoo Paw"),
    DemoUser("caseworker2", Role.CASEWORKER, "Safe Return Legal Aid", "Ananya Rao"),
    DemoUser("border", Role.BORDER_OFFICIAL, "Mae Sot Border Post", "Somchai Kaewmanee"),
    DemoUser("coordinator", Role.COORDINATOR, "Tak Coordination Office", "Maria Santos"),
    DemoUser("admin", Role.ADMIN, "Tak Coordination Office", "Admin Passage",
             global_admin=True),
)
# added by the demo administrator, as in the app: no password but a set-password code (printed
# by the first load only), and awaiting confirmation by a caseworker of Border Care Foundation
DEMO_NEWCOMER = ("newcomer", Role.CASEWORKER, "Border Care Foundation", "Saw Ler Htoo")


def _organizations(session: Session) -> dict[str, Organization]:
    return {name: auth_service.get_or_create_organization(session, name=name, kind=kind)
            for name, kind in DEMO_ORGANIZATIONS}


def _users(session: Session, orgs: dict[str, Organization], actor: audit.Actor) -> dict[str, User]:
    users = {}
    for demo in DEMO_USERS:
        user = session.exec(select(User).where(User.username == demo.username)).first()
        if user is None:
            user = auth_service.create_user(session, actor=actor, username=demo.username,
                                            password=demo.password, role=demo.role,
                                            organization=orgs[demo.organization],
                                            full_name=demo.full_name)
            user.global_admin = demo.global_admin
            session.add(user)
        users[demo.username] = user
    return users


def _newcomer(session: Session, orgs: dict[str, Organization], admin: User,
              echo: Callable[[str], None]) -> None:
    username, role, organization, full_name = DEMO_NEWCOMER
    if session.exec(select(User).where(User.username == username)).first() is not None:
        return
    _, issued = admin_service.create_user(
        session, actor=audit.Actor.of(admin, "cli"),
        user_in=UserCreate(username=username, role=role,
                           organization_id=orgs[organization].id, full_name=full_name))
    echo(f"Added {username} ({role.value}, {organization}) as an administrator would: they "
         f"choose their password at /set-password with the code {issued.code} (valid 24 "
         f"hours), and see nothing until a caseworker of {organization} confirms them.")


def _compounds(session: Session, actor: audit.Actor) -> int:
    added = 0
    for data in COMPOUNDS:
        if session.exec(select(Compound).where(Compound.name == data["name"])).first():
            continue
        session.add(Compound(**data, created_by_id=None))
        added += 1
    session.flush()
    return added


def load_demo(echo: Callable[[str], None] = print, session: Session | None = None) -> None:
    settings = get_settings()
    if settings.env == "production":
        raise SystemExit("passage demo refuses to run in production: its passwords are public.")
    own_session = session is None
    session = session or new_session()
    try:
        actor = audit.Actor.system("demo")
        orgs = _organizations(session)
        users = _users(session, orgs, actor)
        session.flush()
        _newcomer(session, orgs, users["admin"], echo)
        added = _compounds(session, actor)
        echo(f"Compounds added: {added}")
        for step in steps.STEPS:
            step(session, users=users, orgs=orgs, echo=echo)
        # the steps set times back to the demo's days (a case opened in October, a referral
        # answered since): each wait from the day it began
        next_step.refresh(session)
        session.commit()
    finally:
        if own_session:
            session.close()
    echo("")
    echo("Demo sign-ins (synthetic data; passwords are public):")
    for demo in DEMO_USERS:
        echo(f"  {demo.role.value:<16} {demo.username:<12} {demo.password}   ({demo.organization})")
