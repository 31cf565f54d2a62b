"""The attack: walk document numbers to learn who Passage knows and to open their records.

A border official of one post, or a caseworker of a third organisation, knows (or guesses) a
nationality and document numbers, and types any name ("zz"). Whatever they try, nothing of
another organisation's record comes back, nothing is linked, and the answer (status, body,
timing) is the same for a document Passage knows and for one it does not."""

import statistics
import time
from datetime import date

import pytest
from sqlmodel import func, select

from app.audit.models import AuditEvent
from app.auth.models import Organization
from app.cases.models import Case
from app.people.models import IdentityLink, Person
from tests import factories
from tests.crossings.rosters import csv_bytes, row, upload

POINT = "Mae Sot Friendship Bridge 2"
KNOWN = [f"P{1000000 + i}" for i in range(12)]
UNKNOWN = [f"P{2000000 + i}" for i in range(12)]
VOLATILE = {"id", "person_id", "created_at", "crossed_at"}


@pytest.fixture
def ngo_records(session):
    """People an NGO registered, with a crossing another post recorded, a case and a phone."""
    ngo = factories.make_organization(session, name="Border Care Foundation")
    other_post = factories.make_organization(session, name="Tak Immigration",
                                             kind="border_post")
    people = []
    for number, document in enumerate(KNOWN):
        person = factories.make_person(session, organization=ngo, given_name=f"Juan{number}",
                                       family_name="Dela Cruz", nationality_code="PH",
                                       date_of_birth=date(1990, 1, 1 + number),
                                       document_number=document, phone="+66 81 234 5678")
        factories.make_crossing(session, person=person, organization=other_post)
        factories.make_case(session, person=person, organization=ngo)
        people.append(person)
    session.commit()
    return people


def crossing_of(document: str, minute: int, **person) -> dict:
    return {"person": {"given_name": "zz", "nationality_code": "PH",
                       "document_number": document, **person},
            "crossed_at": f"2025-10-22T09:{minute:02d}:00+07:00", "crossing_point": POINT}


def steady(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in VOLATILE}


def assert_close(known_ms: list[float], unknown_ms: list[float]) -> None:
    """Tolerant, for a loaded machine: catches a gross difference (a query or a write more
    on one side), not a millisecond."""
    known, unknown = statistics.median(known_ms), statistics.median(unknown_ms)
    slower, faster = max(known, unknown), min(known, unknown)
    print(f"median ms: known {known:.1f}, unknown {unknown:.1f}")
    assert slower - faster < 30 and (slower / faster < 1.5 or slower - faster < 10)


def links_and_cases(session) -> tuple[int, int]:
    return (session.exec(select(func.count()).select_from(IdentityLink)).one(),
            session.exec(select(func.count()).select_from(Case)).one())


def test_document_number_walk_as_a_border_official_opens_nothing(client, login_as, session,
                                                                   ngo_records):
    official = login_as("border_official", organization="Myawaddy Gate")
    before = links_and_cases(session)
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    bodies: dict[str, set] = {"known": set(), "unknown": set()}
    mine: list[int] = []
    for number, (known, unknown) in enumerate(zip(KNOWN, UNKNOWN, strict=True)):
        pairs = [("known", known), ("unknown", unknown)]
        for kind, document in (pairs if number % 2 == 0 else reversed(pairs)):
            started = time.perf_counter()
            response = client.post("/api/v1/crossings", headers=official.headers,
                                   json=crossing_of(document, number))
            times[kind].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 201, response.text
            assert "person_created" not in response.json()
            bodies[kind].add(repr(sorted(steady(response.json()).items())))
            mine.append(response.json()["person_id"])
    assert bodies["known"] == bodies["unknown"] and len(bodies["known"]) == 1
    assert_close(times["known"], times["unknown"])

    # each crossing is on a record of the post's own, holding exactly what it typed
    for person_id in mine:
        person = client.get(f"/api/v1/people/{person_id}", headers=official.headers).json()
        assert (person["given_name"], person["phone"], person["date_of_birth"],
                person["registered_by_organization_id"]) == (
            "zz", None, None, official.user.organization_id)
    assert not set(mine) & {p.id for p in ngo_records}
    # nothing of the NGO's records, their crossings or cases
    for person in ngo_records[:3]:
        assert client.get(f"/api/v1/people/{person.id}",
                          headers=official.headers).status_code == 404
    listed = client.get("/api/v1/people?limit=100", headers=official.headers).json()
    assert {p["id"] for p in listed["items"]} == set(mine)
    crossings = client.get("/api/v1/crossings?limit=100", headers=official.headers).json()
    assert {c["recorded_by_organization_id"] for c in crossings["items"]} == {
        official.user.organization_id}
    # a name that is not theirs links nothing
    assert links_and_cases(session) == before


def test_the_whole_identity_links_the_records_but_opens_nothing(client, login_as, session,
                                                                ngo_records):
    official = login_as("border_official", organization="Myawaddy Gate")
    theirs = ngo_records[0]
    known = client.post("/api/v1/crossings", headers=official.headers, json=crossing_of(
        theirs.document_number, 1, given_name="JUAN0", family_name="dela cruz",
        date_of_birth="1990-01-01"))
    unknown = client.post("/api/v1/crossings", headers=official.headers, json=crossing_of(
        UNKNOWN[0], 2, given_name="Pedro", family_name="Reyes", date_of_birth="1990-01-01"))
    assert known.status_code == unknown.status_code == 201
    assert known.json().keys() == unknown.json().keys()
    own = client.get(f"/api/v1/people/{known.json()['person_id']}",
                     headers=official.headers).json()
    assert (own["given_name"], own["phone"]) == ("JUAN0", None)
    assert client.get(f"/api/v1/people/{theirs.id}",
                      headers=official.headers).status_code == 404
    assert client.get(f"/api/v1/crossings?person_id={theirs.id}",
                      headers=official.headers).json()["total"] == 0
    # the NGO sees that its record was linked, and by whom
    link = session.exec(select(IdentityLink)).one()
    assert (link.person_id, link.own_person_id, link.via) == (
        theirs.id, known.json()["person_id"], "crossing")
    page_html = _ngo_person_page(client, session, theirs)
    assert "Linked by other organisations" in page_html and "Myawaddy Gate" in page_html


def _ngo_person_page(client, session, person) -> str:
    from tests.pages import sign_in

    ngo = session.get(Organization, person.registered_by_organization_id)
    factories.make_user(session, role="caseworker", organization=ngo, username="ngo-reader")
    session.commit()
    client.headers.pop("Authorization", None)
    sign_in(client, "ngo-reader", factories.DEFAULT_PASSWORD)
    response = client.get(f"/people/{person.id}")
    assert response.status_code == 200
    return response.text


def test_dry_run_roster_says_nothing_of_who_is_known(client, login_as, session, ngo_records):
    official = login_as("border_official", organization="Myawaddy Gate")
    factories.make_roster_compounds(session)
    session.commit()

    def roster(documents):
        return csv_bytes([row(given_name="zz", family_name="", nationality="PH",
                              date_of_birth="", document_number=d) for d in documents])

    known = upload(client, official.headers, roster(KNOWN), dry_run=True)
    unknown = upload(client, official.headers, roster(UNKNOWN), dry_run=True)
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    assert "people_matched" not in known.json() and "people_created" not in known.json()
    # with the whole identities too: the report is the same
    whole = csv_bytes([row(given_name=p.given_name, family_name=p.family_name, nationality="PH",
                           date_of_birth=p.date_of_birth.isoformat(),
                           document_number=p.document_number) for p in ngo_records])
    assert upload(client, official.headers, whole, dry_run=True).json() == unknown.json()


def test_document_number_walk_as_a_caseworker_of_a_third_organisation(app, client, login_as,
                                                                      session, ngo_records):
    app.state.settings = app.state.settings.model_copy(update={"case_links_per_day": 100})
    caseworker = login_as("caseworker", organization="Third Shelter")
    before = links_and_cases(session)
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    answers: set[tuple[int, str]] = set()
    for number, (known, unknown) in enumerate(zip(KNOWN, UNKNOWN, strict=True)):
        pairs = [("known", known), ("unknown", unknown)]
        for kind, document in (pairs if number % 2 == 0 else reversed(pairs)):
            started = time.perf_counter()
            response = client.post("/api/v1/cases", headers=caseworker.headers, json={
                "known_details": {"given_name": "zz", "nationality_code": "PH",
                                  "age_estimate": 35, "document_number": document}})
            times[kind].append((time.perf_counter() - started) * 1000)
            answers.add((response.status_code, response.text))
    assert answers == {(404, '{"detail":"No record matches these details"}')}
    assert_close(times["known"], times["unknown"])
    assert links_and_cases(session) == before
    # a bare id, or an id with a dummy name, finds nothing either
    person = ngo_records[0]
    assert client.post("/api/v1/cases", headers=caseworker.headers,
                       json={"person_id": person.id}).status_code == 404
    both = client.post("/api/v1/cases", headers=caseworker.headers, json={
        "person_id": person.id, "known_details": {
            "given_name": "zz", "nationality_code": "PH", "age_estimate": 35,
            "document_number": person.document_number}})
    assert both.status_code == 422
    assert client.get(f"/api/v1/people/{person.id}",
                      headers=caseworker.headers).status_code == 404
    # nor does registering the person under a dummy name warn of anyone
    registered = client.post("/api/v1/people", headers=caseworker.headers, json={
        "given_name": "zz", "nationality_code": "PH", "document_number": person.document_number})
    assert registered.status_code == 201 and registered.json()["possible_duplicates"] == []
    assert links_and_cases(session)[0] == before[0]


def test_case_on_another_organisations_record_needs_the_persons_own_details(client, login_as,
                                                                         session,
                                                                         ngo_records):
    theirs = ngo_records[3]
    caseworker = login_as("caseworker", organization="Third Shelter")
    details = {"given_name": "Dela Cruz", "family_name": "Juan3", "nationality_code": "PH",
               "date_of_birth": "1990-01-04"}
    for wrong in ({"nationality_code": "IN"}, {"date_of_birth": "1991-01-04"},
                  {"given_name": "Pedro"}):
        response = client.post("/api/v1/cases", headers=caseworker.headers,
                               json={"known_details": {**details, **wrong}})
        assert response.status_code == 404
    missing_birth = client.post("/api/v1/cases", headers=caseworker.headers, json={
        "known_details": {k: v for k, v in details.items() if k != "date_of_birth"}})
    assert missing_birth.status_code == 422
    assert missing_birth.json()["detail"][0]["loc"][-1] == "age_estimate"

    linked = client.post("/api/v1/cases", headers=caseworker.headers,
                         json={"known_details": details})
    assert linked.status_code == 201, linked.text
    assert linked.json()["person_id"] == theirs.id
    assert client.get(f"/api/v1/people/{theirs.id}",
                      headers=caseworker.headers).status_code == 200
    link = session.exec(select(IdentityLink).where(IdentityLink.person_id == theirs.id)).one()
    assert (link.via, link.case_id, link.organization_id) == (
        "case", linked.json()["id"], caseworker.user.organization_id)
    audited = session.exec(select(AuditEvent.action, func.count()).where(
        AuditEvent.actor_id == caseworker.user.id,
        AuditEvent.action.in_(["case.record_search", "person.link"]))
        .group_by(AuditEvent.action)).all()
    assert dict(audited) == {"case.record_search": 4, "person.link": 1}


def test_searches_for_other_organisations_records_are_limited_per_day(app, client, login_as,
                                                                      session, ngo_records):
    app.state.settings = app.state.settings.model_copy(update={"case_links_per_day": 3})
    caseworker = login_as("caseworker", organization="Third Shelter")
    theirs = ngo_records[5]
    details = {"given_name": theirs.given_name, "family_name": theirs.family_name,
               "nationality_code": "PH", "date_of_birth": theirs.date_of_birth.isoformat()}
    guesses = [client.post("/api/v1/cases", headers=caseworker.headers, json={
        "known_details": {**details, "given_name": f"Guess{n}"}}) for n in range(3)]
    assert [g.status_code for g in guesses] == [404, 404, 404]  # each counted all the same
    over = client.post("/api/v1/cases", headers=caseworker.headers,
                       json={"known_details": details})
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0
    assert "24 hours" in over.json()["detail"]
    assert session.exec(select(func.count()).select_from(Case).where(
        Case.person_id == theirs.id, Case.organization_id == caseworker.user.organization_id)
    ).one() == 0
    # the allowance is the user's: a colleague still has theirs
    colleague = login_as("caseworker", organization="Third Shelter")
    assert client.post("/api/v1/cases", headers=colleague.headers,
                       json={"known_details": details}).status_code == 201


def test_border_official_cannot_search_by_details(client, login_as, ngo_records):
    official = login_as("border_official", organization="Myawaddy Gate")
    response = client.post("/api/v1/cases", headers=official.headers, json={
        "known_details": {"given_name": "Juan0", "family_name": "Dela Cruz",
                          "nationality_code": "PH", "date_of_birth": "1990-01-01"}})
    assert response.status_code == 403


def test_people_count_grows_by_one_whatever_the_document(client, login_as, session,
                                                         ngo_records):
    """The post's own view of its records grows the same way for a known and an unknown
    document: a new record each time."""
    official = login_as("border_official", organization="Myawaddy Gate")
    counts = []
    for minute, document in enumerate([KNOWN[0], UNKNOWN[0]]):
        before = session.exec(select(func.count()).select_from(Person)).one()
        client.post("/api/v1/crossings", headers=official.headers,
                    json=crossing_of(document, minute))
        counts.append(session.exec(select(func.count()).select_from(Person)).one() - before)
    assert counts == [1, 1]
