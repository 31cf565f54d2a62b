from typing import Annotated

from app.auth.permissions import Permission
from app.deps import require, visible_in_path
from app.people.models import Person

READ_PEOPLE = require(Permission.PERSON_READ_OWN_ORG, Permission.PERSON_READ_ALL)

# the person of the path, read: 404 when they are not there or not the caller's to see
CurrentPerson = Annotated[Person, visible_in_path(Person, "person_id", action="person.read")]
