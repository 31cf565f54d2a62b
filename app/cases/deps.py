from typing import Annotated

from app.cases.models import Case
from app.deps import visible_in_path

# the case of the path, read: 404 when it is not there or not the caller's to open
CurrentCase = Annotated[Case, visible_in_path(Case, "case_id", action="case.read")]
