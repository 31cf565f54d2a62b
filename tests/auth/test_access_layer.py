"""The one access layer (app.auth.access) through HTTP: a record outside the caller's rows is
a 404 like a missing one, and only the hidden one is audited as a refusal."""

import pytest
from sqlmodel import func, select

from app.audit.models import AuditEvent
from app.auth import access
from app.auth.models import Organization
from tests import factories
from tests.pages import sign_in


@pytest.fixture
def world(session, login_as):
    """A caseworker of one NGO; a case, its person and a referral of another NGO."""
    signed_in = login_as("caseworker", organization="Own NGO")
    other = factories.make_organization(session, name="Other NGO")
    other_worker, _ = factories.make_user(session, role="caseworker", organization=other)
    person = factories.make_person(session, organization=other)
    case = factories.make_case(session, person=person, organization=other)
    referral = factories.make_referral(session, case=case, created_by=other_worker)
    session.commit()
    return {"signed_in": signed_in, "case": case, "person": person, "referral": referral}


# (address, the record it names, audit action, entity type, the 404's message)
ROUTES = [
    ("/api/v1/cases/{id}", "case", "case.read", "case", "Case not found"),
    ("/cases/{id}", "case", "case.read", "case", None),
    ("/api/v1/cases/{id}/screenings", "case", "screening.read", "case", "Case not found"),
    ("/api/v1/people/{id}", "person", "person.read", "person", "No such person"),
    ("/people/{id}", "person", "person.read", "person", None),
    ("/api/v1/people/{id}/duplicates", "person", "person.duplicates", "person",
     "No such person"),
    ("/api/v1/referrals/{id}", "referral", "referral.read", "referral", "Referral not found"),
]


def _denied(session, user_id: int) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == user_id, AuditEvent.outcome == "denied")).all())


def _cookie_login(client, signed_in):
    response = sign_in(client, signed_in.user.username, signed_in.password)
    assert response.status_code == 303


@pytest.mark.parametrize(("address", "record", "action", "entity_type", "message"), ROUTES)
def test_hidden_record_is_404_and_audited(client, session, world, address, record, action,
                                          entity_type, message):
    signed_in = world["signed_in"]
    row = world[record]
    if address.startswith("/api/"):
        response = client.get(address.format(id=row.id), headers=signed_in.headers)
    else:
        _cookie_login(client, signed_in)
        response = client.get(address.format(id=row.id))
    assert response.status_code == 404
    if message:
        assert response.json() == {"detail": message}
    [event] = _denied(session, signed_in.user.id)
    assert (event.action, event.entity_type, event.entity_id) == (action, entity_type,
                                                                  str(row.id))
    assert event.detail["status"] == 404


@pytest.mark.parametrize(("address", "record", "action", "entity_type", "message"), ROUTES)
def test_missing_record_is_the_same_404_and_not_audited(client, session, world, address,
                                                        record, action, entity_type, message):
    signed_in = world["signed_in"]
    model = type(world[record])
    missing = session.exec(select(func.max(model.id))).one() + 1000
    if address.startswith("/api/"):
        response = client.get(address.format(id=missing), headers=signed_in.headers)
    else:
        _cookie_login(client, signed_in)
        response = client.get(address.format(id=missing))
    assert response.status_code == 404
    if message:
        assert response.json() == {"detail": message}
    assert _denied(session, signed_in.user.id) == []


def test_record_in_scope_is_read_through_the_same_route(client, session, world):
    """The other NGO's caseworker reads the same three records: 200, nothing refused."""
    other = session.exec(select(Organization).where(Organization.name == "Other NGO")).one()
    user, password = factories.make_user(session, role="caseworker", organization=other)
    session.commit()
    token = client.post("/api/v1/auth/token",
                        data={"username": user.username, "password": password}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    for address in (f"/api/v1/cases/{world['case'].id}", f"/api/v1/people/{world['person'].id}",
                    f"/api/v1/referrals/{world['referral'].id}"):
        assert client.get(address, headers=headers).status_code == 200, address
    assert _denied(session, user.id) == []


def test_a_case_opens_its_person_to_the_organisation_holding_it(client, session, world):
    """The cases domain widens the people rule: a caseworker sees the person of their
    organisation's case though another organisation registered them."""
    signed_in = world["signed_in"]
    own = session.get(Organization, signed_in.user.organization_id)
    person = world["person"]
    address = f"/api/v1/people/{person.id}"
    assert client.get(address, headers=signed_in.headers).status_code == 404
    factories.make_case(session, person=person, organization=own)
    factories.make_crossing(session, person=person)
    session.commit()
    assert client.get(address, headers=signed_in.headers).status_code == 200
    crossings = client.get(f"/api/v1/crossings?person_id={person.id}",
                           headers=signed_in.headers).json()
    assert crossings["total"] == 1


def test_an_id_that_is_not_a_number_is_422_naming_it(client, world):
    response = client.get("/api/v1/cases/abc", headers=world["signed_in"].headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "case_id"]


def test_a_model_without_a_rule_is_a_loud_error():
    with pytest.raises(LookupError, match="No access rule for Organization"):
        access.visible(None, Organization)
