from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.cases.models import Interview, InterviewAnswer, Screening
from app.screening.catalogue import INDICATORS
from tests.cases.conftest import ALL_NO, TRAFFICKED


def test_record_interview_stores_answers_and_suggestion_at_once(desk, session):
    case = desk.open_case(date_of_birth=date(1995, 3, 2))
    response = desk.interview(case["id"], TRAFFICKED, language="Tagalog",
                              interpreter_used=True, recruited_on="2025-01-10",
                              conducted_at="2025-10-25T10:00:00+07:00",
                              narrative="Offered a call-centre job in Bangkok.",
                              section_notes={"CD": "Guards at the gate."})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["language"] == "Tagalog" and body["interpreter_used"] is True
    assert body["consent_given"] is True and body["recruited_on"] == "2025-01-10"
    assert body["section_notes"] == {"CD": "Guards at the gate."}
    assert body["answers"]["DR1"] == "yes" and body["answers"]["VD5"] == "unknown"
    assert len(body["answers"]) == len(INDICATORS)
    screening = body["screening"]
    assert screening["classification"] == "trafficking_victim"
    assert screening["rules_version"] == 2
    assert screening["age_group"] == "adult" and screening["age_at_recruitment"] == 29
    assert any("Deceptive recruitment present" in r for r in screening["reasons"])

    session.expire_all()
    rows = session.exec(select(InterviewAnswer)
                        .where(InterviewAnswer.interview_id == body["id"])).all()
    assert {r.code: r.answer for r in rows} == body["answers"]
    stored = session.exec(select(Screening).where(Screening.interview_id == body["id"])).one()
    assert stored.classification == "trafficking_victim" and stored.rules_version == 2
    assert stored.result["dimensions"][0]["yes"]["strong"] == ["DR1"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "interview.create",
                                                  AuditEvent.entity_id == str(case["id"]))).one()
    assert "Bangkok" not in str(event.detail) and "Guards" not in str(event.detail)


@pytest.mark.parametrize("consent", [False, None, "missing"])
def test_interview_without_consent_is_422_naming_consent_given(desk, session, consent):
    case = desk.open_case()
    body = {"answers": TRAFFICKED}
    if consent != "missing":
        body["consent_given"] = consent
    response = desk.client.post(f"/api/v1/cases/{case['id']}/interviews",
                                headers=desk.headers, json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "consent_given"
    session.expire_all()
    assert session.exec(select(Interview).where(Interview.case_id == case["id"])).all() == []


@pytest.mark.parametrize(("answers", "where"), [
    ({"ZZ9": "yes"}, "ZZ9"),
    ({"DR1": "maybe"}, "DR1"),
    ({"dr1": "yes"}, "dr1"),
    ({"DR1": "YES"}, "DR1"),
])
def test_interview_with_unknown_code_or_value_is_422(desk, answers, where):
    case = desk.open_case()
    response = desk.interview(case["id"], answers)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "answers", where]


def test_interview_with_non_text_answer_is_422(desk):
    case = desk.open_case()
    response = desk.interview(case["id"], {"DR1": 1})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "answers"]


def test_interview_with_overlong_narrative_is_422(desk):
    case = desk.open_case()
    response = desk.interview(case["id"], {}, narrative="x" * 20_001)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "narrative"


def test_interview_with_unknown_section_is_422(desk):
    case = desk.open_case()
    response = desk.interview(case["id"], {}, section_notes={"XX": "note"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "section_notes"


def test_child_at_recruitment_from_date_of_birth(desk):
    # 17 at recruitment, 19 at the interview: the child rule applies
    case = desk.open_case(date_of_birth=date(2006, 6, 1))
    body = desk.interview(case["id"], {"EX1": "yes", "EX2": "yes"}, recruited_on="2024-01-15",
                          conducted_at="2025-10-25T10:00:00+07:00").json()
    assert body["screening"]["age_group"] == "child"
    assert body["screening"]["age_at_recruitment"] == 17
    assert body["screening"]["classification"] == "trafficking_victim"


def test_age_today_is_taken_on_the_interview_date(desk):
    # no recruitment date: the age on the day of the interview counts
    case = desk.open_case(date_of_birth=date(2007, 11, 1))
    before = desk.interview(case["id"], ALL_NO, conducted_at="2025-10-31T10:00:00+07:00")
    after = desk.interview(case["id"], ALL_NO, conducted_at="2025-11-01T10:00:00+07:00")
    assert before.json()["screening"]["age_group"] == "child"
    assert before.json()["screening"]["classification"] == "needs_assessment"
    assert before.json()["screening"]["age_at_recruitment"] == 17
    assert after.json()["screening"]["age_at_recruitment"] == 18
    # rules version 2: 18 today, with no recruitment date, may have been a child when recruited
    assert after.json()["screening"]["age_group"] == "possibly_child"
    assert after.json()["screening"]["classification"] == "needs_assessment"


def test_age_estimate_is_used_without_a_date_of_birth(desk):
    case = desk.open_case(date_of_birth=None, age_estimate=16)
    body = desk.interview(case["id"], ALL_NO, recruited_on="2025-01-01").json()
    assert body["screening"]["age_group"] == "child"
    assert body["screening"]["age_at_recruitment"] == 16


def test_unknown_age_is_screened_as_unknown(desk):
    case = desk.open_case(date_of_birth=None, age_estimate=None)
    body = desk.interview(case["id"], ALL_NO).json()
    assert body["screening"]["age_group"] == "unknown"
    assert body["screening"]["age_at_recruitment"] is None
    assert body["screening"]["classification"] == "willing_worker"


def test_recruitment_before_birth_is_422_naming_recruited_on(desk):
    case = desk.open_case(date_of_birth=date(2000, 1, 1))
    response = desk.interview(case["id"], {}, recruited_on="1999-12-31")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "recruited_on"


def test_recruitment_after_the_interview_is_422_naming_recruited_on(desk):
    case = desk.open_case()
    response = desk.interview(case["id"], {}, recruited_on="2025-11-01",
                              conducted_at="2025-10-25T10:00:00+07:00")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "recruited_on"


def test_interview_in_the_future_is_422_naming_conducted_at(desk):
    case = desk.open_case()
    tomorrow = (datetime.now().astimezone() + timedelta(days=2)).isoformat()
    response = desk.interview(case["id"], {}, conducted_at=tomorrow)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "conducted_at"


def test_new_interview_makes_a_new_suggestion_and_keeps_the_old_one(desk):
    case = desk.open_case(date_of_birth=None, age_estimate=30)
    first = desk.interview(case["id"], ALL_NO).json()
    second = desk.interview(case["id"], TRAFFICKED).json()
    latest = desk.client.get(f"/api/v1/cases/{case['id']}/screening", headers=desk.headers)
    assert latest.status_code == 200
    assert latest.json()["id"] == second["screening"]["id"]
    assert latest.json()["classification"] == "trafficking_victim"
    history = desk.client.get(f"/api/v1/cases/{case['id']}/screenings",
                              headers=desk.headers).json()
    assert history["total"] == 2
    assert [s["classification"] for s in history["items"]] == ["willing_worker",
                                                               "trafficking_victim"]
    assert history["items"][0] == first["screening"]
    interviews = desk.client.get(f"/api/v1/cases/{case['id']}/interviews",
                                 headers=desk.headers).json()
    assert [i["id"] for i in interviews["items"]] == [first["id"], second["id"]]
    assert interviews["items"][0]["answers"] == first["answers"]


def test_screening_before_any_interview_is_404(desk):
    case = desk.open_case()
    response = desk.client.get(f"/api/v1/cases/{case['id']}/screening", headers=desk.headers)
    assert response.status_code == 404
    assert "interview" in response.json()["detail"]


def test_catalogue_is_served_in_order_with_questions(client, login_as):
    response = client.get("/api/v1/screening/indicators",
                          headers=login_as("border_official").headers)
    assert response.status_code == 200
    body = response.json()
    assert body["rules_version"] == 2 and body["rules_versions"] == [1, 2]
    assert [d["code"] for d in body["dimensions"]] == ["DR", "CR", "VR", "EX", "CD", "VD"]
    codes = [i["code"] for d in body["dimensions"] for i in d["indicators"]]
    assert codes == [i.code for i in INDICATORS]
    first = body["dimensions"][0]["indicators"][0]
    assert first["strength"] == "strong" and first["question"].endswith("?")
    assert first["ctdc"] == ["FalsePromises"]


def test_catalogue_needs_sign_in(client):
    assert client.get("/api/v1/screening/indicators").status_code == 401


@pytest.mark.parametrize(("person", "recruited_on", "classification", "age_group"), [
    # 19 by the estimate, or by date of birth without a recruitment date: may have been a child
    ({"age_estimate": 19}, None, "needs_assessment", "possibly_child"),
    ({"date_of_birth": date(2006, 1, 5)}, None, "needs_assessment", "possibly_child"),
    # the recruitment date makes the age exact: 18 when recruited, as in version 1
    ({"date_of_birth": date(2006, 1, 5)}, "2024-06-01", "willing_worker", "adult"),
    ({"age_estimate": 21}, None, "willing_worker", "adult"),
])
def test_new_interview_is_screened_with_rules_version_2(desk, session, person, recruited_on,
                                                       classification, age_group):
    case = desk.open_case(**person)
    response = desk.interview(case["id"], ALL_NO, recruited_on=recruited_on,
                              conducted_at="2025-10-25T10:00:00+07:00")
    assert response.status_code == 201, response.text
    screening = response.json()["screening"]
    assert screening["rules_version"] == 2
    assert (screening["classification"], screening["age_group"]) == (classification, age_group)
    asked = "May have been under 18 when recruited: ask when the recruitment happened."
    assert (asked in screening["reasons"]) == (age_group == "possibly_child")
    session.expire_all()
    stored = session.exec(select(Screening).where(Screening.id == screening["id"])).one()
    assert (stored.rules_version, stored.age_group, stored.classification) == (
        2, age_group, classification)
