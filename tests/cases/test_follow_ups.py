"""Follow-ups: dated tasks on a case, the work queue (overdue first), and the ones Passage
proposes when a determination is recorded."""

from datetime import timedelta

from sqlmodel import select

from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.cases.follow_ups import add_follow_up
from app.cases.models import Case, FollowUp
from app.clock import local_today, utcnow
from tests import factories
from tests.cases.conftest import TRAFFICKED, denied_events
from tests.pages import csrf_from, post_form, sign_in


def _opened_days_ago(desk, days: int = 30) -> dict:
    """A case opened `days` ago, so that follow-ups can be overdue."""
    case = desk.open_case()
    row = desk.session.get(Case, case["id"])
    row.created_at = utcnow() - timedelta(days=days)
    desk.session.add(row)
    desk.session.commit()
    return case


def _add(desk, case_id: int, title: str, due_in_days: int, **fields):
    due_on = (local_today() + timedelta(days=due_in_days)).isoformat()
    return desk.client.post(f"/api/v1/cases/{case_id}/follow-ups", headers=desk.headers,
                            json={"title": title, "due_on": due_on, **fields})


def _queue(desk, **params) -> list[dict]:
    response = desk.client.get("/api/v1/follow-ups", headers=desk.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_the_work_queue_lists_overdue_first_then_due_and_done_apart(desk):
    case = _opened_days_ago(desk)
    later = _add(desk, case["id"], "Visit the shelter", 5).json()
    late = _add(desk, case["id"], "Call the embassy", -3).json()
    today = _add(desk, case["id"], "Book the medical check", 0).json()
    assert late["state"] == "overdue" and today["state"] == "due" and later["state"] == "due"
    assert late["assigned_to_id"] == desk.signed_in.user.id

    mine = _queue(desk, assigned_to="me")
    assert [f["title"] for f in mine] == ["Call the embassy", "Book the medical check",
                                          "Visit the shelter"]
    assert [f["id"] for f in _queue(desk, assigned_to="me", state="overdue")] == [late["id"]]
    assert [f["id"] for f in _queue(desk, state="due")] == [today["id"], later["id"]]

    done = desk.client.patch(f"/api/v1/follow-ups/{late['id']}", headers=desk.headers,
                             json={"done": True, "note": "Embassy will call back."})
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "done" and done.json()["done_by"]
    assert done.json()["note"] == "Embassy will call back."
    assert _queue(desk, assigned_to="me", state="overdue") == []
    assert [f["id"] for f in _queue(desk, state="done")] == [late["id"]]


def test_a_follow_up_due_before_the_case_was_opened_is_refused_and_nothing_is_stored(desk,
                                                                                      session):
    case = desk.open_case()
    response = _add(desk, case["id"], "Too early", -1)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "due_on"
    assert "before the case was opened" in error["msg"]
    for body in ({"title": "", "due_on": local_today().isoformat()},
                 {"title": "No day"},
                 {"title": "Bad day", "due_on": "next week"}):
        assert desk.client.post(f"/api/v1/cases/{case['id']}/follow-ups", headers=desk.headers,
                                json=body).status_code == 422
    session.expire_all()
    assert session.exec(select(FollowUp).where(FollowUp.case_id == case["id"])).all() == []
    late = _add(desk, case["id"], "Fine", 1).json()
    moved = desk.client.patch(f"/api/v1/follow-ups/{late['id']}", headers=desk.headers,
                              json={"due_on": (local_today() - timedelta(days=400)).isoformat()})
    assert moved.status_code == 422
    assert desk.client.get("/api/v1/follow-ups", headers=desk.headers,
                           params={"assigned_to": "someone"}).status_code == 422


def test_closing_a_case_takes_its_follow_ups_out_of_the_queue_until_it_is_reopened(desk):
    case = _opened_days_ago(desk)
    waiting = _add(desk, case["id"], "Check on the family", -1).json()
    desk.client.post(f"/api/v1/cases/{case['id']}/close", headers=desk.headers,
                     json={"reason": "lost_contact"})
    assert _queue(desk, assigned_to="me") == []
    refused = _add(desk, case["id"], "One more", 3)
    assert refused.status_code == 409 and "closed" in refused.json()["detail"]
    desk.client.post(f"/api/v1/cases/{case['id']}/reopen", headers=desk.headers,
                     json={"note": "Back in touch."})
    assert [f["id"] for f in _queue(desk, assigned_to="me")] == [waiting["id"]]


def test_a_determination_proposes_follow_ups_that_can_be_changed_or_dropped(desk):
    case = desk.open_case()
    desk.interview(case["id"], TRAFFICKED)
    desk.client.post(f"/api/v1/cases/{case['id']}/determination", headers=desk.headers,
                     json={"outcome": "trafficking_victim"})
    proposed = _queue(desk, case_id=case["id"])
    assert [(f["title"], f["due_on"], f["proposed"]) for f in proposed] == [
        ("Check that the referrals were taken up",
         (local_today() + timedelta(days=7)).isoformat(), True),
        ("Review the support plan", (local_today() + timedelta(days=14)).isoformat(), True)]

    # the same determination again proposes nothing twice
    desk.client.post(f"/api/v1/cases/{case['id']}/determination", headers=desk.headers,
                     json={"outcome": "trafficking_victim"})
    assert len(_queue(desk, case_id=case["id"])) == 2

    review, referrals = proposed[1], proposed[0]
    changed = desk.client.patch(f"/api/v1/follow-ups/{review['id']}", headers=desk.headers,
                                json={"title": "Review the support plan with the shelter",
                                      "due_on": (local_today() + timedelta(days=10)).isoformat()})
    assert changed.status_code == 200
    assert changed.json()["title"] == "Review the support plan with the shelter"
    dropped = desk.client.patch(f"/api/v1/follow-ups/{referrals['id']}", headers=desk.headers,
                                json={"dropped": True})
    assert dropped.json()["state"] == "dropped"
    assert [f["id"] for f in _queue(desk, case_id=case["id"])] == [review["id"]]
    assert [f["id"] for f in _queue(desk, case_id=case["id"], state="dropped")] == [
        referrals["id"]]


def test_follow_ups_are_their_organisations_and_coordinators_only_read_them(
        desk, other_desk, session, login_as):
    case = desk.open_case()
    follow_up = _add(desk, case["id"], "Visit", 2).json()
    assert _queue(other_desk) == []
    response = other_desk.client.patch(f"/api/v1/follow-ups/{follow_up['id']}",
                                       headers=other_desk.headers, json={"done": True})
    assert response.status_code == 404
    assert _add(other_desk, case["id"], "Mine now", 2).status_code == 404
    assert [e.action for e in denied_events(session, other_desk.signed_in.user.id)] == [
        "follow_up.update", "follow_up.create"]

    coordinator = login_as("coordinator", organization="Tak Coordination Office")
    listed = desk.client.get("/api/v1/follow-ups", headers=coordinator.headers).json()
    assert [f["id"] for f in listed["items"]] == [follow_up["id"]]
    assert desk.client.patch(f"/api/v1/follow-ups/{follow_up['id']}",
                             headers=coordinator.headers,
                             json={"done": True}).status_code == 403
    session.expire_all()
    assert session.get(FollowUp, follow_up["id"]).done is False


def test_assigning_a_follow_up_to_someone_outside_the_organisation_is_refused(desk, other_desk):
    case = desk.open_case()
    response = _add(desk, case["id"], "Visit", 2,
                    assigned_to_id=other_desk.signed_in.user.id)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "assigned_to_id"


def test_other_features_add_follow_ups_through_add_follow_up(desk, session):
    """The service function re-screening and others call, with a case they loaded."""
    case_read = desk.open_case()
    case = session.get(Case, case_read["id"])
    actor = Actor.of(desk.signed_in.user)
    follow_up = add_follow_up(session, case=case, title="Review the determination: the "
                              "rules changed", due_on=local_today(), actor=actor)
    session.commit()
    assert follow_up.assigned_to_id == desk.signed_in.user.id
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "follow_up.create")
                         .order_by(AuditEvent.id.desc())).first()
    assert event.detail["follow_up_id"] == follow_up.id
    assert [f["title"] for f in _queue(desk, assigned_to="me")] == [
        "Review the determination: the rules changed"]


def test_caseworker_marks_an_overdue_follow_up_done_from_the_work_queue(client, session):
    org = factories.make_organization(session, name="Border Care Foundation")
    user, password = factories.make_user(session, role="caseworker", organization=org)
    person = factories.make_person(session, organization=org)
    case = factories.make_case(session, person=person, organization=org, assigned_to=user)
    case.created_at = utcnow() - timedelta(days=20)
    actor = Actor.of(user)
    soon = add_follow_up(session, case=case, title="Ask about the passport",
                         due_on=local_today() + timedelta(days=2), actor=actor)
    late = add_follow_up(session, case=case, title="Call the shelter",
                         due_on=local_today() - timedelta(days=2), actor=actor)
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303

    home = client.get("/")
    assert home.text.index("Call the shelter") < home.text.index("Ask about the passport")
    queue = client.get("/follow-ups")
    assert "<strong>1</strong> overdue" in queue.text
    bad = client.post(f"/follow-ups/{late.id}", data={
        "title": "", "due_on": "tomorrow", "back": "queue", "csrf_token": csrf_from(queue.text)})
    assert bad.status_code == 422 and "Your work queue" in bad.text
    assert "Write the date as year-month-day" in bad.text

    done = post_form(client, "/follow-ups", f"/follow-ups/{late.id}/done",
                     {"note": "Bed found.", "back": "queue"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/follow-ups"
    queue = client.get("/follow-ups")
    assert "<strong>0</strong> overdue" in queue.text and "Recently done" in queue.text
    session.expire_all()
    assert session.get(FollowUp, late.id).done is True
    assert session.get(FollowUp, soon.id).done is False

    page = client.get(f"/cases/{case.id}")
    assert 'id="follow-ups"' in page.text and "Bed found." in page.text
    added = post_form(client, f"/cases/{case.id}", f"/cases/{case.id}/follow-ups",
                      {"title": "Too early", "due_on": "2000-01-01"})
    assert added.status_code == 422 and "before the case was opened" in added.text
