"""One case walked from crossing to closure (repatriated), and the same story read four ways:
the case page, the case's history, the pipeline's counts and the audit log."""

import re

from tests.cases.conftest import TRAFFICKED
from tests.pages import sign_in

PERSON = {"given_name": "Ramon", "family_name": "Villanueva", "sex": "male",
          "nationality_code": "PH", "date_of_birth": "1994-06-12",
          "document_number": "P4455667"}


def test_a_case_from_crossing_to_closure_tells_one_story_everywhere(client, login_as):
    border = login_as("border_official", organization="Mae Sot Border Post")
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    coordinator = login_as("coordinator", organization="Tak Coordination Office")
    admin = login_as("admin", organization="Passage Administration", global_admin=True)

    crossing = client.post("/api/v1/crossings", headers=border.headers, json={
        "person": PERSON, "crossed_at": "2025-10-22T09:30:00+07:00",
        "crossing_point": "Mae Sot Friendship Bridge 2"})
    assert crossing.status_code == 201, crossing.text
    person_id = crossing.json()["person_id"]

    known = {k: PERSON[k] for k in ("given_name", "family_name", "nationality_code",
                                    "date_of_birth")}
    case = client.post("/api/v1/cases", headers=caseworker.headers,
                       json={"known_details": known})
    assert case.status_code == 201, case.text
    case_id = case.json()["id"]
    api = f"/api/v1/cases/{case_id}"
    assert client.post(f"{api}/interviews", headers=caseworker.headers, json={
        "consent_given": True, "answers": TRAFFICKED, "language": "Tagalog"}).status_code == 201
    assert client.post(f"{api}/determination", headers=caseworker.headers,
                       json={"outcome": "trafficking_victim"}).status_code == 201
    assert client.post(f"{api}/referrals", headers=caseworker.headers, json={
        "service": "repatriation", "recipient": "IOM Mae Sot",
        "consent_to_share": True}).status_code == 201
    proposed = client.get("/api/v1/follow-ups", headers=caseworker.headers,
                          params={"case_id": case_id}).json()["items"]
    review = next(f for f in proposed if f["title"] == "Review the support plan")
    assert client.patch(f"/api/v1/follow-ups/{review['id']}", headers=caseworker.headers,
                        json={"done": True}).status_code == 200
    closed = client.post(f"{api}/close", headers=caseworker.headers,
                         json={"reason": "repatriated", "note": "Flew to Manila on 2 Dec."})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"

    # the case's history
    history = client.get(f"{api}/history", headers=caseworker.headers).json()["items"]
    assert [(h["event"], h["to_status"], h["reason"]) for h in history] == [
        ("opened", "open", None), ("determination", "determined", None),
        ("closed", "closed", "repatriated")]
    assert {h["changed_by_id"] for h in history} == {caseworker.user.id}

    # the case page: its timeline tells the same, newest first
    assert sign_in(client, caseworker.user.username, caseworker.password).status_code == 303
    page = client.get(f"/cases/{case_id}").text
    timeline = page[page.index('<ol class="timeline">'):]
    lines = [re.sub(r"\s+", " ", line).strip() for line in
             re.findall(r'<span dir="auto">(.*?)</span>', timeline[:timeline.index("</ol>")])]
    story = [line for line in lines if not line.startswith("Follow-up")]
    assert [line.split(":")[0].split(" by ")[0] for line in reversed(story)] == [
        "Crossed at Mae Sot Friendship Bridge 2", f"Case {case.json()['reference']} opened",
        "Interview recorded; screening suggests", "Determination",
        "Referral", "Case closed"]
    assert "Case closed: Returned home (repatriated)" in timeline
    assert "Follow-up done: Review the support plan" in timeline
    assert "Flew to Manila on 2 Dec." in page

    # the pipeline: this one person, at every stage up to the closure
    pipeline = client.get("/api/v1/stats/pipeline", headers=coordinator.headers,
                          params={"from": "2025-10-22", "to": "2025-10-22"}).json()
    counts = pipeline["overall"]
    assert {k: v for k, v in counts.items() if v} == {
        "crossed": 1, "case": 1, "interview": 1, "suggestion_trafficking_victim": 1,
        "determined": 1, "determination_trafficking_victim": 1, "referral": 1,
        "closed": 1, "closed_repatriated": 1}

    # the audit log: who did each step, in order
    events = client.get("/api/v1/audit", headers=admin.headers,
                        params={"entity_type": "case", "entity_id": str(case_id),
                                "limit": 200}).json()["items"]
    steps = [(e["action"], e["actor_username"]) for e in reversed(events)
             if e["outcome"] == "success" and not e["action"].endswith((".read", ".list",
                                                                         ".history"))]
    assert [a for a, _ in steps] == [
        "case.create", "interview.create", "follow_up.create", "follow_up.create",
        "determination.create", "follow_up.update", "case.close"]
    assert {u for _, u in steps} == {caseworker.user.username}
    [referral] = client.get("/api/v1/audit", headers=admin.headers,
                            params={"action": "referral.create"}).json()["items"]
    assert referral["detail"]["case_id"] == case_id
    [crossed] = client.get("/api/v1/audit", headers=admin.headers,
                           params={"action": "crossing.create"}).json()["items"]
    assert crossed["actor_username"] == border.user.username
    assert crossed["detail"]["person_id"] == person_id
