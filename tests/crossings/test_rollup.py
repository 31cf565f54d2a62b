"""The nationality counts' rollup (app.crossings.rollup) is kept right by every write that
changes what it counts: a crossing recorded (of a known person, out of order, twice a day,
an exit, of a person described inline), a roster imported, two people merged (crossings
moved, one recorded twice taken out, a nationality taken by the survivor) and the merge
undone. After each, the rollup is what counting every crossing again gives, and the counts
read from it are those of the crossings (tests/crossings/rollup_check.py)."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.auth.models import Organization
from app.crossings import rollup
from app.crossings.filters import CrossingFilters
from app.crossings.models import Crossing
from app.crossings.stats import nationality_counts
from app.people.models import Person
from tests import factories
from tests.crossings.rollup_check import assert_rollup_right, rollup_rows
from tests.crossings.rosters import csv_bytes, row, upload

V1 = "/api/v1"


def at(month: int, day: int, hour: int = 3) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


@pytest.fixture
def crossed(session, login_as):
    """People of three nationalities (one without), of each sex, who crossed: twice a day at
    two points, at one moment at two points, weeks apart, more than 92 days apart, from two
    compounds and none, and out again."""
    border = login_as("border_official", organization="Mae Sot Border Post")
    post = session.get(Organization, border.user.organization_id)
    kk = factories.make_compound(session, name="KK Park")
    shwe = factories.make_compound(session, name="Shwe Kokko")
    people = {
        "in_f": factories.make_person(session, organization=post, nationality_code="IN",
                                      sex="female", document_number="IN0000001"),
        "in_m": factories.make_person(session, organization=post, nationality_code="IN",
                                      sex="male"),
        "ph_o": factories.make_person(session, organization=post, nationality_code="PH",
                                      sex="other"),
        "none": factories.make_person(session, organization=post, nationality_code=None),
    }
    plan = [
        ("in_f", at(6, 1), "Bridge 1", kk), ("in_f", at(6, 1, 9), "Bridge 2", kk),
        ("in_f", at(6, 20), "Bridge 1", None), ("in_f", at(10, 2), "Bridge 1", shwe),
        ("in_m", at(6, 1, 5), "Bridge 1", shwe), ("in_m", at(6, 1, 5), "Bridge 2", shwe),
        ("in_m", at(7, 15, 20), "Bridge 2", None),  # 03:00 on 16 July in Thailand
        ("ph_o", at(6, 20), "Bridge 2", kk), ("ph_o", at(9, 25), "Bridge 2", kk),
        ("none", at(7, 1), "Bridge 1", None),
    ]
    for key, when, point, compound in plan:
        factories.make_crossing(session, person=people[key], crossed_at=when,
                                crossing_point=point,
                                compound_id=compound.id if compound else None)
    factories.make_crossing(session, person=people["ph_o"], crossed_at=at(9, 30),
                            crossing_point="Airport", direction="exit")
    session.commit()
    return {"border": border, "people": people, "kk": kk.id, "shwe": shwe.id}


def test_the_counts_read_from_the_rollup_are_those_of_the_crossings(session, crossed):
    assert_rollup_right(session)
    # one person counted once however often they crossed in the range
    june = nationality_counts(session, filters=CrossingFilters(
        date_from=date(2025, 6, 1), date_to=date(2025, 6, 30)), by_sex=True)
    assert june.total == 3 and june.rows[0].code == "IN" and june.rows[0].count == 2
    assert june.by_sex.model_dump() == {"female": 1, "male": 1, "other": 1, "unknown": 0}


def test_the_rollup_is_read_for_up_to_92_days_and_the_crossings_beyond(session, crossed):
    three_months = CrossingFilters(date_from=date(2025, 6, 1), date_to=date(2025, 8, 31))
    assert rollup.counts_statement(three_months) is not None
    longer = CrossingFilters(date_from=date(2025, 6, 1), date_to=date(2025, 9, 1))
    assert rollup.counts_statement(longer) is None
    both = CrossingFilters(crossing_point="Bridge 1", compound_id=crossed["kk"])
    assert rollup.counts_statement(both) is None
    assert nationality_counts(session, filters=longer).total == 4


def test_crossings_recorded_keep_the_rollup_right(client, session, crossed):
    headers = crossed["border"].headers
    people = crossed["people"]
    for person, when, point in [
        ("in_f", "2025-06-10T10:00:00+07:00", "Bridge 1"),  # between two of hers
        ("in_f", "2025-06-01T20:00:00+07:00", "Bridge 1"),  # a third that day
        ("in_m", "2025-05-01T08:00:00+07:00", "Bridge 2"),  # before all of his
        ("none", "2025-07-01T11:00:00+07:00", "Bridge 2"),  # the same day, another point
    ]:
        response = client.post(f"{V1}/crossings", headers=headers, json={
            "person_id": people[person].id, "crossed_at": when, "crossing_point": point})
        assert response.status_code == 201, response.text
    assert_rollup_right(session)
    out = client.post(f"{V1}/crossings", headers=headers, json={
        "person_id": people["in_m"].id, "crossed_at": "2025-07-20T08:00:00+07:00",
        "crossing_point": "Airport", "direction": "exit"})
    inline = client.post(f"{V1}/crossings", headers=headers, json={
        "person": {"given_name": "Maria", "family_name": "Santos", "sex": "female",
                   "nationality_code": "PH"},
        "crossed_at": "2025-06-20T09:00:00+07:00", "crossing_point": "Bridge 2",
        "compound_id": crossed["kk"]})
    assert out.status_code == 201 and inline.status_code == 201, (out.text, inline.text)
    assert_rollup_right(session)


def test_a_crossing_refused_as_recorded_already_changes_nothing(client, session, crossed):
    before = rollup_rows(session)
    response = client.post(f"{V1}/crossings", headers=crossed["border"].headers, json={
        "person_id": crossed["people"]["in_f"].id, "crossed_at": "2025-06-01T10:00:00+07:00",
        "crossing_point": "Bridge 1"})
    assert response.status_code == 409, response.text
    assert rollup_rows(session) == before


def test_a_roster_imported_keeps_the_rollup_right(client, session, crossed):
    known = crossed["people"]["in_f"]
    rows = [
        # her again (matched by her document): one the day before her first, one far later
        row(given_name=known.given_name, family_name=known.family_name,
            date_of_birth="", nationality="IN", document_number="IN0000001",
            crossed_at="2025-05-31T23:00:00+07:00", crossing_point="Bridge 1", compound=""),
        row(given_name=known.given_name, family_name=known.family_name,
            date_of_birth="", nationality="IN", document_number="IN0000001",
            crossed_at="2025-11-01T09:00:00+07:00", crossing_point="Bridge 2", compound=""),
        # new people, one of them twice
        row(given_name="Ana", family_name="Reyes", nationality="PH", sex="female",
            crossed_at="2025-06-20T09:00:00+07:00", crossing_point="Bridge 2", compound=""),
        row(given_name="Ana", family_name="Reyes", nationality="PH", sex="female",
            crossed_at="2025-06-21T09:00:00+07:00", crossing_point="Bridge 2", compound=""),
        row(given_name="Wei", family_name="Zhang", nationality="CN", sex="male",
            crossed_at="2025-07-16T02:00:00+07:00", crossing_point="Bridge 1", compound=""),
    ]
    response = upload(client, crossed["border"].headers, csv_bytes(rows))
    assert response.status_code == 200, response.text
    assert response.json()["crossings_created"] == 5
    assert len(session.exec(select(Crossing).where(Crossing.person_id == known.id)).all()) == 6
    assert_rollup_right(session)


def test_a_merge_and_its_undo_keep_the_rollup_right(client, session, crossed, login_as):
    coordinator = login_as("coordinator", organization="Tak Coordination Office")
    people = crossed["people"]
    survivor = people["none"]  # without a nationality: takes the duplicate's
    duplicate = factories.make_person(session, organization=factories.make_organization(
        session, name="Other Post"), nationality_code="PH", sex="unknown")
    for when, point in [(at(7, 1), "Bridge 1"),  # recorded for both records: taken out
                        (at(6, 25), "Bridge 2"), (at(7, 3), "Bridge 1")]:
        factories.make_crossing(session, person=duplicate, crossed_at=when,
                                crossing_point=point)
    session.commit()
    merged = client.post(f"{V1}/people/{survivor.id}/merge", headers=coordinator.headers,
                         json={"duplicate_id": duplicate.id, "note": "Same photo."})
    assert merged.status_code == 201, merged.text
    session.expire_all()
    assert session.get(Person, survivor.id).nationality_code == "PH"
    assert_rollup_right(session)
    undone = client.post(f"{V1}/person-merges/{merged.json()['id']}/undo",
                         headers=coordinator.headers, json={"note": "Not the same."})
    assert undone.status_code == 200, undone.text
    session.expire_all()
    assert session.get(Person, survivor.id).nationality_code is None
    assert_rollup_right(session)
