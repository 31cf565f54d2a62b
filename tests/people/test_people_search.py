"""Who the people search finds, for every role (DESIGN.md, "Roles and what each may see"), and
that a search's one-statement paging (app.pagination.paginate_newest_first) finds exactly what
counting and paging the same conditions apart (paginate, how every search was made before)
finds: the same people, in the same order, on every page, with the same total."""

import re

import pytest
from sqlmodel import Session

from app.audit.service import Actor
from app.auth import service as auth_service
from app.pages.people import SearchQuery, search_people, search_statement
from app.pagination import PageParams, paginate
from app.people.models import Person
from tests import factories


class World:
    """People named Aung registered by three organisations, each visible to some roles for
    a different reason, and users of each role."""

    def __init__(self, session: Session):
        self.ngo = factories.make_organization(session, name=factories.unique("Search NGO "))
        self.other = factories.make_organization(session, name=factories.unique("Other NGO "))
        self.post = factories.make_organization(session, name=factories.unique("Post "),
                                                kind="border_post")
        person = factories.make_person
        self.own = person(session, organization=self.ngo, given_name="Aung",
                          family_name="Kyaw", nationality_code="MM", document_number="MM100")
        # another organisation's person for whom the NGO holds a case
        self.cased = person(session, organization=self.other, given_name="Aung",
                            family_name="Min", nationality_code="MM")
        self.case = factories.make_case(session, person=self.cased, organization=self.ngo)
        # another organisation's person no one else has a reason to see
        self.hidden = person(session, organization=self.other, given_name="Aung",
                             family_name="Zaw", nationality_code="MM", document_number="MM300")
        # the NGO's record merged into another organisation's: the NGO sees the survivor
        self.survivor = person(session, organization=self.other, given_name="Aung",
                               family_name="Tun", nationality_code="MM")
        self.tombstone = person(session, organization=self.ngo, given_name="Aung",
                                family_name="Tun", nationality_code="MM")
        factories.make_merge(session, survivor=self.survivor, duplicate=self.tombstone)
        # crossings the border post typed in (a reason to see) or ticked on a departure list
        self.crossed = person(session, organization=self.other, given_name="Aung",
                              family_name="Naing", nationality_code="TH")
        factories.make_crossing(session, person=self.crossed, organization=self.post)
        self.listed = person(session, organization=self.other, given_name="Aung",
                             family_name="Lin", nationality_code="TH")
        factories.make_crossing(session, person=self.listed, organization=self.post,
                                from_departure_list=True)
        self.posts_own = person(session, organization=self.post, given_name="Aung",
                                family_name="Soe", nationality_code="MM")
        # found by the Latin form of a name in Burmese letters
        self.burmese = person(session, organization=self.ngo, given_name="ဇော်မင်း",
                              family_name="", given_name_latin="Zaw Min",
                              nationality_code="MM")
        self.users = {
            "caseworker": factories.make_user(session, role="caseworker",
                                              organization=self.ngo)[0],
            "border_official": factories.make_user(session, role="border_official",
                                                   organization=self.post)[0],
            "coordinator": factories.make_user(session, role="coordinator")[0],
            "admin": factories.make_user(session, role="admin", organization=self.ngo)[0],
        }
        waiting = factories.make_user(session, role="caseworker", organization=self.ngo)[0]
        waiting.awaiting_confirmation = True
        session.add(waiting)
        self.users["caseworker awaiting confirmation"] = waiting
        session.flush()
        self.headers = {}
        for role, user in self.users.items():
            token, _ = auth_service.issue_token(session, user=user, client="testclient")
            self.headers[role] = {"Authorization": f"Bearer {token}"}
        session.commit()

    def ids(self, *names: str) -> set[int]:
        return {getattr(self, name).id for name in names}


@pytest.fixture
def world(session) -> World:
    return World(session)


def _found(client, headers, **params) -> tuple[set[int], str]:
    response = client.get("/people", params=params, headers=headers)
    assert response.status_code == 200, response.text[:200]
    ids = {int(i) for i in re.findall(r'href="/people/(\d+)"', response.text)}
    counted = re.search(r"[\d,]+ (?:people|person) found", response.text)
    return ids, counted.group(0) if counted else ""


def test_each_role_finds_by_name_the_people_it_may_see_and_no_one_else(client, world):
    expected = {
        "caseworker": world.ids("own", "cased", "survivor"),
        "border_official": world.ids("crossed", "posts_own"),
        "coordinator": world.ids("own", "cased", "hidden", "survivor", "crossed", "listed",
                                 "posts_own"),
    }
    for role, people in expected.items():
        found, counted = _found(client, world.headers[role], name="aung")
        assert found == people, role
        assert counted == f"{len(people)} people found", role
    for role in ("admin", "caseworker awaiting confirmation"):
        refused = client.get("/people", params={"name": "aung"}, headers=world.headers[role])
        assert refused.status_code == 403, role


def test_a_caseworker_learns_nothing_of_another_organisations_person(client, world):
    headers = world.headers["caseworker"]
    for params in ({"name": "aung zaw"}, {"document": "mm300"},
                   {"name": "aung", "document": "MM300"}):
        found, counted = _found(client, headers, **params)
        assert (found, counted) == (set(), "0 people found"), params
    # the same words for one of their own people, and a name only the Latin form holds
    assert _found(client, headers, name="kyaw aung")[0] == world.ids("own")
    assert _found(client, headers, name="zaw min")[0] == world.ids("burmese")
    assert _found(client, headers, reference=world.case.reference.lower())[0] == \
        world.ids("cased")


QUERIES = [
    SearchQuery(name="aung"),
    SearchQuery(name="AUNG", nationality_code="mm"),
    SearchQuery(name="aung zaw"),
    SearchQuery(name="zaw min"),
    SearchQuery(name="tun"),
    SearchQuery(document="mm 100"),
    SearchQuery(document="MM300"),
    SearchQuery(name="aung", reference="placeholder"),  # the case's reference, below
    SearchQuery(nationality_code="TH"),
    SearchQuery(),
    SearchQuery(name="nobody"),
    SearchQuery(name="au"),  # too short for the trigram indexes
]
PAGES = [PageParams(limit=50, offset=0), PageParams(limit=2, offset=0),
         PageParams(limit=2, offset=2), PageParams(limit=2, offset=4),
         PageParams(limit=3, offset=7), PageParams(limit=2, offset=100)]


def test_a_search_finds_what_counting_and_paging_apart_found(session, world):
    """For every role, query and page: the rows (in order) and the total of search_people
    are those of paginate() over the same conditions."""
    compared = 0
    for role, user in world.users.items():
        actor = Actor.of(user)
        for query in QUERIES:
            if query.reference:
                query = SearchQuery(name=query.name, reference=world.case.reference)
            for page in PAGES:
                rows, total = search_people(session, actor=actor, query=query, page=page)
                before = paginate(session, search_statement(actor, query)
                                  .order_by(Person.id.desc()), page)
                assert ([p.id for p in rows], total) == ([p.id for p in before[0]],
                                                         before[1]), (role, query, page)
                compared += bool(rows)
    assert compared > 40  # most of the comparisons were of pages with people on them
