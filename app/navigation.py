"""The destinations of the navigation and the home page. Each is shown only to users who hold
the permission that guards its route; later features add their entries here."""

from dataclasses import dataclass

from app.auth.permissions import Permission


@dataclass(frozen=True)
class Destination:
    label: str
    href: str
    permission: Permission
    description: str


DESTINATIONS: tuple[Destination, ...] = (
    Destination("Compounds", "/compounds", Permission.COMPOUND_READ,
                "The scam compounds people come from; coordinators and administrators add them."),
)
