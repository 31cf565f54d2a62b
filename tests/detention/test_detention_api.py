"""The detention record of a case: caseworkers of the owning organisation write it,
coordinators read it, everyone else is refused and audited."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.clock import local_today
from app.detention.models import Detention
from tests.detention.conftest import DETAINED
from tests.referrals.helpers import events


def test_record_read_and_change_a_detention(make_detained, client, session):
    case = make_detained()
    body = case.record()
    assert {k: body[k] for k in DETAINED} == DETAINED
    assert body["case_id"] == case.setup.case.id and body["letters"] == []

    read = client.get(f"{case.url}/detention", headers=case.headers)
    assert read.status_code == 200 and read.json() == body

    changed = client.patch(f"{case.url}/detention", headers=case.headers,
                           json={"charged": False, "grounds": "crime_under_coercion",
                                 "since": None})
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert (after["charged"], after["grounds"], after["since"]) == (
        False, "crime_under_coercion", None)
    assert after["authority"] == DETAINED["authority"]  # left out: kept

    session.expire_all()
    stored = session.exec(select(Detention).where(Detention.case_id == case.setup.case.id)).one()
    assert stored.grounds == "crime_under_coercion" and stored.charged is False
    [created] = events(session, action="detention.create")
    [update] = events(session, action="detention.update")
    assert update.detail == {"detention_id": stored.id,
                             "fields": ["charged", "grounds", "since"]}
    # field names only: the note and the place are not copied into the audit log
    assert "Held with" not in str(update.detail) and "Held with" not in str(created.detail)
    assert len(events(session, action="detention.read")) == 1


def test_second_record_for_the_same_case_is_409(make_detained, client):
    case = make_detained(detention={})
    response = client.post(f"{case.url}/detention", headers=case.headers, json=DETAINED)
    assert response.status_code == 409
    assert "PATCH" in response.json()["detail"]


def test_read_before_anything_is_recorded_is_404(make_detained, client):
    case = make_detained()
    assert client.get(f"{case.url}/detention", headers=case.headers).status_code == 404
    assert client.patch(f"{case.url}/detention", headers=case.headers,
                        json={"charged": True}).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({**DETAINED, "authority": ""}, "authority"),
    ({**DETAINED, "authority": "   "}, "authority"),
    ({**DETAINED, "grounds": "jaywalking"}, "grounds"),
    ({**DETAINED, "since": "23/10/2025"}, "since"),
    ({**DETAINED, "since": (local_today() + timedelta(days=2))
      .isoformat()}, "since"),
    ({k: v for k, v in DETAINED.items() if k != "detained"}, "detained"),
    ({**DETAINED, "detained": "perhaps"}, "detained"),
    ({**DETAINED, "authority": "A" * 201}, "authority"),
    ({**DETAINED, "secret": 1}, "secret"),
])
def test_bad_record_is_422_naming_the_field_and_nothing_is_stored(make_detained, client,
                                                                   session, body, field):
    case = make_detained()
    response = client.post(f"{case.url}/detention", headers=case.headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    session.expire_all()
    assert session.exec(select(Detention).where(
        Detention.case_id == case.setup.case.id)).first() is None


@pytest.mark.parametrize(("change", "field"), [
    ({"detained": None}, "detained"),
    ({"authority": ""}, "authority"),
    ({"note": None}, "note"),
])
def test_bad_change_is_422_and_the_record_is_kept(make_detained, client, session, change,
                                                  field):
    case = make_detained(detention={})
    response = client.patch(f"{case.url}/detention", headers=case.headers, json=change)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    session.expire_all()
    stored = session.exec(select(Detention).where(Detention.case_id == case.setup.case.id)).one()
    assert stored.detained is True and stored.authority == DETAINED["authority"]


def test_a_person_neither_detained_nor_charged_needs_no_authority(make_detained):
    case = make_detained()
    body = case.record(detained=False, charged=False, authority="", place="", since=None,
                       grounds=None)
    assert body["detained"] is False and body["authority"] == ""


def test_coordinator_reads_but_does_not_write(make_detained, client, session, login_as):
    case = make_detained(detention={})
    coordinator = login_as("coordinator", organization="Coordination Office")
    assert client.get(f"{case.url}/detention", headers=coordinator.headers).status_code == 200
    for method in ("post", "patch"):
        response = getattr(client, method)(f"{case.url}/detention",
                                           headers=coordinator.headers, json=DETAINED)
        assert response.status_code == 403
    assert len(events(session, actor_id=coordinator.user.id, outcome="denied")) == 2


@pytest.mark.parametrize("role", ["border_official", "admin"])
def test_border_official_and_admin_are_refused_and_audited(make_detained, client, session,
                                                          login_as, role):
    case = make_detained(detention={})
    signed_in = login_as(role)
    for method, kwargs in (("get", {}), ("post", {"json": DETAINED}),
                           ("patch", {"json": {"charged": False}})):
        response = getattr(client, method)(f"{case.url}/detention", headers=signed_in.headers,
                                           **kwargs)
        assert response.status_code == 403
    assert len(events(session, actor_id=signed_in.user.id, outcome="denied")) == 3


def test_another_organisations_caseworker_gets_404_and_is_audited(make_detained, client,
                                                                  session, login_as):
    case = make_detained(detention={})
    stranger = login_as("caseworker", organization="Safe Return Legal Aid")
    for method, kwargs in (("get", {}), ("post", {"json": DETAINED}),
                           ("patch", {"json": {"charged": False}})):
        response = getattr(client, method)(f"{case.url}/detention", headers=stranger.headers,
                                           **kwargs)
        assert response.status_code == 404
    denied = events(session, actor_id=stranger.user.id, outcome="denied")
    assert [e.action for e in denied] == ["detention.read", "detention.create",
                                          "detention.update"]
    session.expire_all()
    stored = session.exec(select(Detention).where(Detention.case_id == case.setup.case.id)).one()
    assert stored.charged is True
