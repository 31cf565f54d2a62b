"""Merging two records of one person: B's crossings and cases become A's, B is a tombstone
whose id leads to A, the duplicate warning drops the pair, and undo restores both."""

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.crossings.models import Crossing
from app.people.models import IdentityLink, Person
from tests import factories
from tests.pages import post_form, sign_in


@dataclass
class Pair:
    a: Person
    b: Person
    case_of_b: object
    referral_of_b: object
    coordinator: object
    caseworker: object
    ngo: object


@pytest.fixture
def pair(session, login_as) -> Pair:
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    coordinator = login_as("coordinator", organization="Tak Coordination Office")
    ngo = factories.make_organization(session, name="Border Care Foundation")
    border = factories.make_organization(session, name="Mae Sot Border Post", kind="border_post")
    a = factories.make_person(session, organization=ngo, given_name="Juan", family_name="Dela Cruz",
                              nationality_code="PH", date_of_birth=date(1996, 3, 4))
    b = factories.make_person(session, organization=border, given_name="Juan",
                              family_name="D. Cruz", nationality_code="PH",
                              date_of_birth=date(1996, 3, 4), document_number="P7654321")
    factories.make_crossing(session, person=a, crossed_at=factories.aware(2025, 10, 22, 9))
    # one crossing recorded for both records: the same moment and point
    factories.make_crossing(session, person=b, crossed_at=factories.aware(2025, 10, 22, 9))
    factories.make_crossing(session, person=b, crossed_at=factories.aware(2025, 10, 24, 15),
                            crossing_point="Mae Sot Friendship Bridge 1")
    case_of_b = factories.make_case(session, person=b, organization=ngo,
                                    assigned_to=caseworker.user)
    referral = factories.make_referral(session, case=case_of_b, created_by=caseworker.user)
    # the border post's roster matched the NGO's record A: its own record is B
    session.add(IdentityLink(person_id=a.id, own_person_id=b.id, organization_id=border.id,
                             via="roster"))
    session.commit()
    return Pair(a, b, case_of_b, referral, coordinator, caseworker, ngo)


def _merge(client, pair, survivor_id, duplicate_id, note="Same passport photo."):
    return client.post(f"/api/v1/people/{survivor_id}/merge", headers=pair.coordinator.headers,
                       json={"duplicate_id": duplicate_id, "note": note})


def _duplicate_ids(client, headers, person_id) -> set[int]:
    response = client.get(f"/api/v1/people/{person_id}/duplicates", headers=headers)
    assert response.status_code == 200, response.text
    return {d["person_id"] for d in response.json()["items"]}


def _crossing_people(session, ids) -> set[int]:
    session.expire_all()
    return {c.person_id for c in session.exec(select(Crossing).where(Crossing.id.in_(ids)))}


def test_after_a_merge_every_read_of_b_leads_to_a_and_undo_restores_both(client, session, pair):
    a, b = pair.a.id, pair.b.id
    b_crossings = [c.id for c in session.exec(select(Crossing).where(Crossing.person_id == b))]
    assert b in _duplicate_ids(client, pair.coordinator.headers, a)

    response = _merge(client, pair, a, b)
    assert response.status_code == 201, response.text
    merge = response.json()
    assert merge["moved"] == {"crossings": 1, "cases": 1, "identity_links": 1}
    assert merge["removed_crossings"] == 1
    assert merge["filled"] == ["document_number"]
    assert merge["undoable"] is True

    for headers in (pair.coordinator.headers, pair.caseworker.headers):
        read = client.get(f"/api/v1/people/{b}", headers=headers)
        assert read.status_code == 200 and read.json()["id"] == a
        assert read.json()["document_number"] == "P7654321"
        cases = client.get("/api/v1/cases", headers=headers, params={"person_id": b}).json()
        assert [(c["id"], c["person_id"]) for c in cases["items"]] == [(pair.case_of_b.id, a)]
        crossings = client.get("/api/v1/crossings", headers=headers,
                               params={"person_id": b}).json()
        assert {c["person_id"] for c in crossings["items"]} == {a}
        assert crossings["total"] == 2
    # the referral went with its case
    referral = client.get(f"/api/v1/referrals/{pair.referral_of_b.id}",
                          headers=pair.coordinator.headers).json()
    assert referral["case_id"] == pair.case_of_b.id
    # B's records are A's, and B is in no list
    assert _crossing_people(session, b_crossings) <= {a}
    listed = client.get("/api/v1/people", headers=pair.coordinator.headers).json()
    assert b not in {p["id"] for p in listed["items"]}
    # the duplicate warning no longer lists the pair, either way
    assert b not in _duplicate_ids(client, pair.coordinator.headers, a)
    assert a not in _duplicate_ids(client, pair.coordinator.headers, b)
    registered = client.post("/api/v1/people", headers=pair.caseworker.headers, json={
        "given_name": "Juan", "family_name": "Dela Cruz", "nationality_code": "PH",
        "date_of_birth": "1996-03-04"}).json()
    assert {d["person_id"] for d in registered["possible_duplicates"]} == {a}

    session.expire_all()
    [link] = session.exec(select(IdentityLink)).all()
    assert (link.person_id, link.own_person_id) == (a, a)
    events = session.exec(select(AuditEvent).where(
        AuditEvent.action.in_(["person.merge", "person.merged_into"]))
        .order_by(AuditEvent.id)).all()
    assert [(e.action, e.entity_id, e.actor_id) for e in events] == [
        ("person.merge", str(a), pair.coordinator.user.id),
        ("person.merged_into", str(b), pair.coordinator.user.id)]
    assert events[0].detail["duplicate_id"] == b

    undo = client.post(f"/api/v1/person-merges/{merge['id']}/undo",
                       headers=pair.coordinator.headers, json={"note": "Two brothers."})
    assert undo.status_code == 200, undo.text
    assert undo.json()["undone_at"] and undo.json()["undoable"] is False
    assert client.get(f"/api/v1/people/{b}", headers=pair.coordinator.headers).json()["id"] == b
    restored_a = client.get(f"/api/v1/people/{a}", headers=pair.coordinator.headers).json()
    assert restored_a["document_number"] is None
    session.expire_all()
    assert {c.crossed_at.day for c in session.exec(
        select(Crossing).where(Crossing.person_id == b))} == {22, 24}
    assert len(session.exec(select(Crossing).where(Crossing.person_id == a)).all()) == 1
    [link] = session.exec(select(IdentityLink)).all()
    assert (link.person_id, link.own_person_id) == (a, b)
    cases = client.get("/api/v1/cases", headers=pair.coordinator.headers,
                       params={"person_id": b}).json()
    assert [c["person_id"] for c in cases["items"]] == [b]
    assert b in _duplicate_ids(client, pair.coordinator.headers, a)
    again = client.post(f"/api/v1/person-merges/{merge['id']}/undo",
                        headers=pair.coordinator.headers, json={})
    assert again.status_code == 409


def test_bad_merges_are_refused_in_words_and_change_nothing(client, session, pair):
    a, b = pair.a.id, pair.b.id
    itself = _merge(client, pair, a, a)
    assert itself.status_code == 422
    assert itself.json()["detail"][0]["loc"][-1] == "duplicate_id"
    assert "itself" in itself.json()["detail"][0]["msg"]
    missing = client.post(f"/api/v1/people/{a}/merge", headers=pair.coordinator.headers,
                          json={"note": "?"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"][-1] == "duplicate_id"
    assert _merge(client, pair, a, 2**31 - 1).status_code == 422

    c = factories.make_person(session, organization=pair.ngo, given_name="Juan",
                              family_name="Cruz", nationality_code="PH")
    session.commit()
    assert _merge(client, pair, a, b).status_code == 201
    into_tombstone = _merge(client, pair, b, c.id)
    assert into_tombstone.status_code == 409
    assert f"merged into person {a}" in into_tombstone.json()["detail"]
    from_tombstone = _merge(client, pair, c.id, b)
    assert from_tombstone.status_code == 409
    session.expire_all()
    assert session.get(Person, c.id).merged_into_id is None
    assert session.exec(select(Crossing).where(Crossing.person_id == c.id)).all() == []


def test_two_open_cases_of_one_organisation_must_be_closed_to_one_first(client, session, pair):
    open_on_a = factories.make_case(session, person=pair.a, organization=pair.ngo)
    session.commit()
    refused = _merge(client, pair, pair.a.id, pair.b.id)
    assert refused.status_code == 409
    assert "close one of them as a duplicate record first" in refused.json()["detail"]
    assert open_on_a.reference in refused.json()["detail"]
    session.expire_all()
    assert session.get(Person, pair.b.id).merged_into_id is None
    closed = client.post(f"/api/v1/cases/{pair.case_of_b.id}/close",
                         headers=pair.caseworker.headers,
                         json={"reason": "duplicate_record", "note": "Same as A's case."})
    assert closed.status_code == 200
    assert _merge(client, pair, pair.a.id, pair.b.id).status_code == 201


def test_a_merge_is_undone_only_once_no_later_merge_depends_on_it(client, session, pair):
    a, b = pair.a.id, pair.b.id
    c = factories.make_person(session, organization=pair.ngo, given_name="Juan",
                              family_name="De la Cruz", nationality_code="PH")
    session.commit()
    first = _merge(client, pair, a, b).json()
    second = _merge(client, pair, c.id, a).json()
    # B's tombstone now points at C, the record standing for both
    assert client.get(f"/api/v1/people/{b}", headers=pair.coordinator.headers).json()["id"] == c.id
    blocked = client.post(f"/api/v1/person-merges/{first['id']}/undo",
                          headers=pair.coordinator.headers, json={})
    assert blocked.status_code == 409
    assert f"number {second['id']}" in blocked.json()["detail"]
    merges = client.get(f"/api/v1/people/{c.id}/merges", headers=pair.coordinator.headers).json()
    assert [(m["id"], m["undoable"]) for m in merges["items"]] == [(second["id"], True)]

    assert client.post(f"/api/v1/person-merges/{second['id']}/undo",
                       headers=pair.coordinator.headers, json={}).status_code == 200
    assert client.get(f"/api/v1/people/{b}", headers=pair.coordinator.headers).json()["id"] == a
    assert client.post(f"/api/v1/person-merges/{first['id']}/undo",
                       headers=pair.coordinator.headers, json={}).status_code == 200
    assert client.get(f"/api/v1/people/{b}", headers=pair.coordinator.headers).json()["id"] == b


def test_only_coordinators_merge_and_refusals_are_audited(client, session, pair):
    response = client.post(f"/api/v1/people/{pair.a.id}/merge", headers=pair.caseworker.headers,
                           json={"duplicate_id": pair.b.id})
    assert response.status_code == 403
    session.expire_all()
    denied = session.exec(select(AuditEvent).where(AuditEvent.actor_id == pair.caseworker.user.id,
                                                   AuditEvent.outcome == "denied")).all()
    assert len(denied) == 1
    assert session.get(Person, pair.b.id).merged_into_id is None


def test_coordinator_merges_from_the_duplicate_list_and_the_old_page_redirects(client, session,
                                                                                pair):
    user, password = factories.make_user(session, role="coordinator",
                                         organization=factories.make_organization(
                                             session, name="Tak Coordination Office"))
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303
    a, b = pair.a.id, pair.b.id
    page = client.get(f"/people/{a}")
    assert f'href="/people/{a}/merge?duplicate_id={b}"' in page.text
    preview = client.get(f"/people/{a}/merge", params={"duplicate_id": b})
    assert preview.status_code == 200
    assert "<strong>2</strong> crossings, <strong>1</strong> link by another organisation, " \
           "<strong>1</strong> case." in preview.text
    merged = post_form(client, f"/people/{a}/merge?duplicate_id={b}", f"/people/{a}/merge",
                       {"duplicate_id": str(b), "note": "Same photograph."},
                       follow_redirects=False)
    assert merged.status_code == 303 and merged.headers["location"] == f"/people/{a}#merges"
    old = client.get(f"/people/{b}", follow_redirects=False)
    assert old.status_code == 303 and old.headers["location"] == f"/people/{a}"
    page = client.get(f"/people/{a}")
    assert f"Record {b} merged into this one" in page.text
    assert f'href="/people/{a}/merge?duplicate_id={b}"' not in page.text
    assert "Undo this merge" in page.text


def test_a_merge_takes_the_latin_forms_the_survivor_lacks_and_undo_gives_them_back(
        client, session, login_as):
    coordinator = login_as("coordinator", organization="Tak Coordination Office")
    ngo = factories.make_organization(session, name="Border Care Foundation")
    survivor = factories.make_person(session, organization=ngo, given_name="ဇော်မင်းထွန်း",
                                     family_name="", nationality_code="MM")
    duplicate = factories.make_person(session, organization=ngo, given_name="ဇော်မင်းထွန်း",
                                      family_name="", nationality_code="MM",
                                      given_name_latin="Zaw Min Tun")
    session.commit()
    merged = client.post(f"/api/v1/people/{survivor.id}/merge", headers=coordinator.headers,
                         json={"duplicate_id": duplicate.id, "note": "Same person."})
    assert merged.status_code == 201, merged.text
    assert set(merged.json()["filled"]) == {"given_name_latin", "family_name_latin"}
    session.expire_all()
    kept = session.get(type(survivor), survivor.id)
    assert (kept.given_name_latin, kept.name_key_latin) == ("Zaw Min Tun", "zaw min tun")
    undo = client.post(f"/api/v1/person-merges/{merged.json()['id']}/undo",
                       headers=coordinator.headers, json={"note": "Two people."})
    assert undo.status_code == 200, undo.text
    session.expire_all()
    kept = session.get(type(survivor), survivor.id)
    assert (kept.given_name_latin, kept.family_name_latin) == ("", "")
    assert kept.name_key_latin == "jeamnthvn"  # transliterated again, as before the merge
