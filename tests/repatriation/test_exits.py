"""Exit crossings: a direction on every crossing (entry by default), recorded one by one or by
roster, and counts that never mix entries and exits."""

from sqlmodel import select

from app.crossings.models import Crossing
from tests import factories
from tests.crossings.rosters import text_csv, upload

V1 = "/api/v1"
CROSSING = {"crossed_at": "2025-11-06T08:00:00+07:00", "crossing_point": "Mae Sot Airport"}


def _crossing(client, headers, **fields):
    return client.post(f"{V1}/crossings", headers=headers, json={**CROSSING, **fields})


def test_a_crossing_is_an_entry_unless_it_says_exit(client, session, login_as):
    border = login_as("border_official", organization="Mae Sot Border Post")
    person = factories.make_person(session, organization=factories.make_organization(
        session, name="Mae Sot Border Post"))
    session.commit()
    entry = _crossing(client, border.headers, person_id=person.id,
                      crossed_at="2025-10-22T08:00:00+07:00")
    exit_ = _crossing(client, border.headers, person_id=person.id, direction="exit")
    assert entry.status_code == exit_.status_code == 201, exit_.text
    assert (entry.json()["direction"], exit_.json()["direction"]) == ("entry", "exit")
    bad = _crossing(client, border.headers, person_id=person.id, direction="sideways")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "direction"


def test_a_roster_records_exits_by_its_direction_column(client, session, login_as):
    border = login_as("border_official", organization="Mae Sot Border Post")
    header = ["given_name", "family_name", "nationality", "crossed_at", "crossing_point",
              "direction"]
    content = text_csv(header,
                       ["Ravi", "Kumar", "IN", "2025-11-06 08:00", "Mae Sot Airport", "exit"],
                       ["Ana", "Cruz", "PH", "2025-11-06 09:00", "Mae Sot Airport", ""],
                       ["Li", "Wei", "CN", "2025-11-06 10:00", "Mae Sot Airport", "EXIT"])
    response = upload(client, border.headers, content)
    assert response.status_code == 200, response.text
    session.expire_all()
    directions = sorted(session.exec(select(Crossing.direction)).all())
    assert directions == ["entry", "exit", "exit"]
    wrong = text_csv(header, ["Ravi", "Kumar", "IN", "2025-11-06 08:00", "Mae Sot", "out"])
    refused = upload(client, border.headers, wrong)
    assert refused.status_code == 422
    [error] = refused.json()["detail"]["errors"] if isinstance(
        refused.json()["detail"], dict) else refused.json()["detail"]
    assert error["column"] == "direction" and error["row"] == 2


def test_counts_and_lists_never_mix_entries_and_exits(client, session, login_as):
    border = login_as("border_official", organization="Mae Sot Border Post")
    org = factories.make_organization(session, name="Mae Sot Border Post")
    came = [factories.make_person(session, organization=org, nationality_code="IN")
            for _ in range(3)]
    for person in came:
        factories.make_crossing(session, person=person, organization=org)
    for person in came[:2]:
        factories.make_crossing(session, person=person, organization=org,
                                crossed_at=factories.aware(2025, 11, 6), direction="exit")
    session.commit()

    def total(**params):
        response = client.get(f"{V1}/stats/nationalities", headers=border.headers,
                              params=params)
        assert response.status_code == 200, response.text
        return response.json()["total"]

    assert total() == 3 and total(direction="entry") == 3 and total(direction="exit") == 2
    listed = client.get(f"{V1}/crossings", headers=border.headers).json()
    assert listed["total"] == 3 and {c["direction"] for c in listed["items"]} == {"entry"}
    exits = client.get(f"{V1}/crossings", headers=border.headers,
                       params={"direction": "exit"}).json()
    assert exits["total"] == 2
    bad = client.get(f"{V1}/stats/nationalities", headers=border.headers,
                     params={"direction": "both"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "direction"
    page = client.get("/stats/nationalities", headers=border.headers,
                      params={"direction": "exit"})
    assert page.status_code == 200 and 'value="exit" selected' in page.text
