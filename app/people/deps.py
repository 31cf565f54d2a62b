from typing import Annotated

from app.deps import visible_in_path
from app.people.models import Person

# the person of the path, read: 404 when they are not there or not the caller's to see
CurrentPerson = Annotated[Person, visible_in_path(Person, "person_id", action="person.read")]
