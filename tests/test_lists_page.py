"""Lists that used to stop at a fixed number without a word now page: the count says how many
there are, and a link leads to the rest."""

import pytest

from tests import factories
from tests.pages import sign_in


@pytest.mark.parametrize(("path", "role", "make", "noun"), [
    ("/compounds", "coordinator",
     lambda session, n: factories.make_compound(session, name=f"Compound {n:03d}"),
     "compounds"),
    ("/admin/organizations", "admin",
     lambda session, n: factories.make_organization(session, name=f"Organisation {n:03d}"),
     "organisation"),
])
def test_long_list_says_how_many_and_pages(client, session, path, role, make, noun):
    # the organisations are Passage-wide administration
    user, password = factories.make_user(session, role=role, global_admin=role == "admin")
    for n in range(60):
        make(session, n)
    session.commit()
    sign_in(client, user.username, password)
    first = client.get(path)
    assert first.status_code == 200
    assert "; showing 1–50." in first.text and noun in first.text
    assert f'href="{path}?offset=50"' in first.text
    second = client.get(path, params={"offset": 50})
    assert "; showing 51–" in second.text
    assert f'href="{path}?offset=0"' in second.text and "offset=100" not in second.text
