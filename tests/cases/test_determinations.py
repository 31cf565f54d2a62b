import pytest
from sqlmodel import select

from app.cases.models import Determination
from tests.cases.conftest import ALL_NO, TRAFFICKED

# answers giving each suggestion for an adult
SUGGESTING = {
    "trafficking_victim": TRAFFICKED,
    "needs_assessment": ALL_NO | {"DR1": "yes"},
    "willing_worker": ALL_NO,
}


def _case_suggesting(desk, suggestion: str) -> dict:
    case = desk.open_case(date_of_birth=None, age_estimate=30)
    body = desk.interview(case["id"], SUGGESTING[suggestion]).json()
    assert body["screening"]["classification"] == suggestion
    return case


def _determine(desk, case_id: int, **body):
    return desk.client.post(f"/api/v1/cases/{case_id}/determination", headers=desk.headers,
                            json=body)


@pytest.mark.parametrize(("suggestion", "outcome", "agrees"), [
    ("trafficking_victim", "trafficking_victim", True),
    ("trafficking_victim", "willing_worker", False),
    ("trafficking_victim", "undetermined", False),
    ("needs_assessment", "undetermined", True),
    ("needs_assessment", "trafficking_victim", False),
    ("needs_assessment", "willing_worker", False),
    ("willing_worker", "willing_worker", True),
    ("willing_worker", "trafficking_victim", False),
    ("willing_worker", "undetermined", False),
])
def test_rationale_is_required_only_when_the_outcome_differs(desk, suggestion, outcome,
                                                             agrees):
    case = _case_suggesting(desk, suggestion)
    without = _determine(desk, case["id"], outcome=outcome)
    if agrees:
        assert without.status_code == 201, without.text
        assert without.json()["differs_from_suggestion"] is False
    else:
        assert without.status_code == 422
        assert without.json()["detail"][0]["loc"][-1] == "rationale"
        blank = _determine(desk, case["id"], outcome=outcome, rationale="   ")
        assert blank.status_code == 422
        with_reason = _determine(desk, case["id"], outcome=outcome,
                                 rationale="The person's account and documents show otherwise.")
        assert with_reason.status_code == 201, with_reason.text
        assert with_reason.json()["differs_from_suggestion"] is True


def test_determination_records_who_when_and_which_suggestion(desk, session):
    case = _case_suggesting(desk, "needs_assessment")
    screening = desk.client.get(f"/api/v1/cases/{case['id']}/screening",
                                headers=desk.headers).json()
    response = _determine(desk, case["id"], outcome="undetermined")
    body = response.json()
    assert body["screening_id"] == screening["id"]
    assert body["suggestion"] == "needs_assessment"
    assert body["decided_by_id"] == desk.signed_in.user.id
    assert body["decided_by"] == desk.signed_in.user.username
    assert body["decided_at"]
    row = session.exec(select(Determination).where(Determination.id == body["id"])).one()
    assert row.screening_id == screening["id"] and row.outcome == "undetermined"


def test_determinations_keep_their_history(desk):
    case = _case_suggesting(desk, "needs_assessment")
    first = _determine(desk, case["id"], outcome="undetermined").json()
    desk.interview(case["id"], TRAFFICKED)
    second = _determine(desk, case["id"], outcome="trafficking_victim").json()
    history = desk.client.get(f"/api/v1/cases/{case['id']}/determinations",
                              headers=desk.headers).json()
    assert [d["id"] for d in history["items"]] == [first["id"], second["id"]]
    assert history["items"][0]["suggestion"] == "needs_assessment"
    assert history["items"][1]["suggestion"] == "trafficking_victim"
    assert first["screening_id"] != second["screening_id"]
    detail = desk.client.get(f"/api/v1/cases/{case['id']}", headers=desk.headers).json()
    assert detail["latest_outcome"] == "trafficking_victim" and detail["status"] == "determined"


def test_undetermined_outcome_keeps_the_case_open(desk):
    case = _case_suggesting(desk, "needs_assessment")
    _determine(desk, case["id"], outcome="undetermined")
    detail = desk.client.get(f"/api/v1/cases/{case['id']}", headers=desk.headers).json()
    assert detail["status"] == "open"


def test_determination_against_an_older_suggestion_is_409(desk):
    case = _case_suggesting(desk, "willing_worker")
    old = desk.client.get(f"/api/v1/cases/{case['id']}/screening", headers=desk.headers).json()
    desk.interview(case["id"], TRAFFICKED)
    response = _determine(desk, case["id"], outcome="willing_worker",
                          screening_id=old["id"])
    assert response.status_code == 409


def test_determination_without_any_interview_needs_a_rationale(desk):
    case = desk.open_case()
    assert _determine(desk, case["id"], outcome="willing_worker").status_code == 422
    response = _determine(desk, case["id"], outcome="willing_worker",
                          rationale="The person declined the interview; says they will return.")
    assert response.status_code == 201
    assert response.json()["screening_id"] is None and response.json()["suggestion"] is None


@pytest.mark.parametrize("outcome", ["needs_assessment", "victim", "", None])
def test_unknown_outcome_is_422_naming_outcome(desk, outcome):
    case = _case_suggesting(desk, "trafficking_victim")
    response = _determine(desk, case["id"], outcome=outcome, rationale="x")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "outcome"


def test_overlong_rationale_is_422(desk):
    case = _case_suggesting(desk, "trafficking_victim")
    response = _determine(desk, case["id"], outcome="willing_worker", rationale="x" * 5001)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "rationale"
