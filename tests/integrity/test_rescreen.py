"""Re-screening stored interviews with rules version 2: the dry run's counts are what the POST
adds, nothing stored is updated, the audit shows who re-screened, and only the owning
organisation's caseworkers see the references that moved."""

import pytest
from sqlmodel import select

from app.auth.models import Organization
from app.cases.models import Screening
from tests import factories
from tests.cases.conftest import ALL_NO, TRAFFICKED
from tests.factories import aware
from tests.pages import sign_in
from tests.referrals.helpers import events

URL = "/api/v1/screening/rescreen"


def _snapshot(session) -> dict[int, tuple]:
    """Every column of every stored screening."""
    session.expire_all()
    return {s.id: (s.interview_id, s.case_id, s.classification, s.rules_version, s.age_group,
                   s.result, s.created_at)
            for s in session.exec(select(Screening)).all()}


def _case(session, org, caseworker, *, age: int, answers: dict, outcome: str | None = None,
          nationality: str = "PH"):
    """A case interviewed and screened with rules version 1 (the person's age from the
    estimate alone, no recruitment date), determined as `outcome`."""
    person = factories.make_person(session, organization=org, age_estimate=age,
                                   date_of_birth=None, nationality_code=nationality)
    case = factories.make_case(session, person=person, organization=org, assigned_to=caseworker)
    screening = factories.make_screening(session, case=case, answers=answers, age_group="adult",
                                         created_by=caseworker, rules_version=1,
                                         at=aware(2025, 10, 24))
    if outcome:
        factories.make_determination(session, case=case, outcome=outcome, decided_by=caseworker,
                                     screening=screening)
    return case, screening


@pytest.fixture
def stored(session, login_as):
    """Two organisations' cases screened with version 1: 19-year-olds with no indicators
    (version 2 moves them to needs assessment), adults who do not move."""
    ngo = login_as("caseworker", organization="Border Care Foundation")
    other = login_as("caseworker", organization="Safe Return Legal Aid")
    org = session.get(Organization, ngo.user.organization_id)
    other_org = session.get(Organization, other.user.organization_id)
    moving = [_case(session, org, ngo.user, age=19, answers=ALL_NO, outcome="willing_worker",
                    nationality=code)[0] for code in ("PH", "PH", "IN")]
    still = [_case(session, org, ngo.user, age=35, answers=ALL_NO, outcome="willing_worker")[0],
             _case(session, org, ngo.user, age=20, answers=TRAFFICKED)[0]]
    theirs = _case(session, other_org, other.user, age=18, answers=ALL_NO,
                   outcome="willing_worker", nationality="VN")[0]
    session.commit()
    return {"ngo": ngo, "other": other, "moving": moving, "still": still, "theirs": theirs}


def test_dry_run_counts_equal_what_the_post_adds_and_nothing_stored_changes(
        client, session, login_as, stored):
    coordinator = login_as("coordinator", organization="Coordination Office")
    before = _snapshot(session)
    dry = client.get(URL, params={"rules_version": 2}, headers=coordinator.headers)
    assert dry.status_code == 200, dry.text
    preview = dry.json()
    assert _snapshot(session) == before  # the dry run stores nothing
    assert preview["applied"] is False
    assert preview["moved"] >= 4 and preview["references"] is None
    moves = {(m["from_suggestion"], m["to_suggestion"]): m["interviews"]
             for m in preview["moves"]}
    assert moves[("willing_worker", "needs_assessment")] >= 4

    done = client.post(URL, params={"rules_version": 2}, headers=coordinator.headers)
    assert done.status_code == 200, done.text
    applied = done.json()
    assert applied["applied"] is True
    assert {k: v for k, v in applied.items() if k != "applied"} == \
        {k: v for k, v in preview.items() if k != "applied"}

    after = _snapshot(session)
    # every old row exactly as it was, and one new row per interview screened
    assert {i: after[i] for i in before} == before
    added = {i: row for i, row in after.items() if i not in before}
    assert len(added) == preview["screened"]
    assert {row[3] for row in added.values()} == {2}
    assert sum(row[2] == "needs_assessment" and row[4] == "possibly_child"
               for row in added.values()) >= 4

    [event] = events(session, action="screening.rescreen")
    assert event.actor_id == coordinator.user.id and event.role == "coordinator"
    assert event.detail["added"] == preview["screened"]
    assert event.detail["moved"] == preview["moved"]
    reviewed = {e.entity_id for e in events(session, action="follow_up.create")}
    assert {str(c.id) for c in stored["moving"]} <= reviewed
    assert not {str(c.id) for c in stored["still"]} & reviewed

    # a second run finds every interview screened with version 2 already
    again = client.post(URL, params={"rules_version": 2}, headers=coordinator.headers).json()
    assert again["screened"] == 0 and again["already_screened"] == applied["interviews"]


def test_the_moves_by_nationality(client, login_as, stored):
    coordinator = login_as("coordinator", organization="Coordination Office")
    preview = client.get(URL, params={"rules_version": 2}, headers=coordinator.headers).json()
    by_code = {n["code"]: n for n in preview["by_nationality"]}
    assert by_code["PH"]["moved"] >= 2 and by_code["IN"]["moved"] >= 1
    assert by_code["VN"]["moved"] >= 1
    assert sum(n["interviews"] for n in preview["by_nationality"]) == preview["screened"]


def test_caseworker_sees_only_their_organisations_references(client, session, stored):
    ngo = stored["ngo"]
    preview = client.get(URL, params={"rules_version": 2}, headers=ngo.headers)
    assert preview.status_code == 200
    body = preview.json()
    assert body["interviews"] == 5  # their organisation's interviews only
    assert sorted(body["references"]) == sorted(c.reference for c in stored["moving"])
    assert stored["theirs"].reference not in body["references"]
    assert body["moved"] == 3


@pytest.mark.parametrize(("role", "get_status", "post_status"), [
    ("caseworker", 200, 403), ("border_official", 403, 403), ("admin", 403, 403)])
def test_who_may_look_and_who_may_run_it(client, session, login_as, stored, role, get_status,
                                         post_status):
    signed_in = login_as(role, organization="Another Office")
    before = _snapshot(session)
    assert client.get(URL, params={"rules_version": 2},
                      headers=signed_in.headers).status_code == get_status
    assert client.post(URL, params={"rules_version": 2},
                       headers=signed_in.headers).status_code == post_status
    assert _snapshot(session) == before
    denied = events(session, actor_id=signed_in.user.id, outcome="denied")
    assert len(denied) == (get_status == 403) + (post_status == 403)


@pytest.mark.parametrize("version", ["3", "0", "two"])
def test_unknown_rules_version_is_422_naming_it(client, login_as, version):
    coordinator = login_as("coordinator", organization="Coordination Office")
    response = client.get(URL, params={"rules_version": version}, headers=coordinator.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "rules_version"


def test_case_shows_both_suggestions_and_asks_to_review_the_determination(
        client, session, login_as, stored):
    coordinator = login_as("coordinator", organization="Coordination Office")
    assert client.post(URL, params={"rules_version": 2},
                       headers=coordinator.headers).status_code == 200
    case = stored["moving"][0]
    api = client.get(f"/api/v1/cases/{case.id}", headers=stored["ngo"].headers).json()
    assert [(s["rules_version"], s["classification"]) for s in api["screenings"]] == [
        (1, "willing_worker"), (2, "needs_assessment")]
    assert api["latest_suggestion"] == "needs_assessment"
    current = client.get(f"/api/v1/cases/{case.id}/screening",
                         headers=stored["ngo"].headers).json()
    assert current["rules_version"] == 2

    user, password = factories.make_user(
        session, role="caseworker",
        organization=session.get(Organization, stored["ngo"].user.organization_id))
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303
    page = client.get(f"/cases/{case.id}").text
    assert "Under rules version 1" in page
    assert "The screening rules changed: review the determination." in page
    assert "rules version 2" in page
    # a case that did not move has no such notice
    assert "review-determination" not in client.get(f"/cases/{stored['still'][0].id}").text

    # a new determination answers the version-2 suggestion, and the notice goes
    decided = client.post(f"/api/v1/cases/{case.id}/determination",
                          headers=stored["ngo"].headers, json={"outcome": "undetermined"})
    assert decided.status_code == 201, decided.text
    assert decided.json()["screening_id"] == current["id"]
    assert "review-determination" not in client.get(f"/cases/{case.id}").text


def test_older_interviews_screened_again_do_not_displace_the_latest(client, session, login_as):
    ngo = login_as("caseworker", organization="Border Care Foundation")
    org = session.get(Organization, ngo.user.organization_id)
    case, first = _case(session, org, ngo.user, age=19, answers=ALL_NO)
    later = factories.make_screening(session, case=case, answers=TRAFFICKED, age_group="adult",
                                     created_by=ngo.user, rules_version=2,
                                     at=aware(2025, 10, 26))
    session.commit()
    coordinator = login_as("coordinator", organization="Coordination Office")
    body = client.post(URL, params={"rules_version": 2}, headers=coordinator.headers).json()
    assert body["moved"] >= 1
    current = client.get(f"/api/v1/cases/{case.id}/screening", headers=ngo.headers).json()
    assert current["id"] == later.id  # the latest interview's, not the newest row's
    assert case.reference not in client.get(URL, params={"rules_version": 2},
                                            headers=ngo.headers).json()["references"]
    assert first.id != later.id


def test_each_moved_case_gets_one_review_follow_up_and_a_closed_case_none(
        client, session, login_as, stored):
    from app.cases.models import Case
    from app.integrity.rescreen import REVIEW_TITLE

    closed = stored["moving"][2]
    row = session.get(Case, closed.id)
    row.status = "closed"
    session.add(row)
    session.commit()
    coordinator = login_as("coordinator", organization="Coordination Office")
    body = client.post(URL, params={"rules_version": 2}, headers=coordinator.headers).json()
    assert body["cases_affected"] >= 3

    queue = client.get("/api/v1/follow-ups", params={"assigned_to": "me", "limit": 200},
                       headers=stored["ngo"].headers).json()["items"]
    review = [f for f in queue if f["title"] == REVIEW_TITLE]
    assert sorted(f["case_id"] for f in review) == sorted(c.id for c in stored["moving"][:2])
    assert all(f["proposed"] and f["state"] == "due" for f in review)
    [event] = events(session, action="screening.rescreen")
    assert event.detail["follow_ups"] == len([f for f in review]) + 1  # + the other NGO's
