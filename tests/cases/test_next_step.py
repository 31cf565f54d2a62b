"""The next step kept on the case (issue 18): the decision, as a table; every write that changes
what it follows from stores what the per-case computation it replaced says, on the day of the
write and on the days after, when follow-ups fall due; the queue lists the cases, in the
order, it listed before."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.audit.service import Actor
from app.auth.models import Organization
from app.cases import next_step
from app.cases.latest import latest_value
from app.cases.models import Case, Determination, FollowUp, Screening
from app.cases.next_step import Facts, NextStep, Stored
from app.clock import local_today
from app.pages.case_queue import Sort, case_queue
from app.pagination import PageParams
from tests import factories
from tests.cases import computed_queue
from tests.cases.conftest import TRAFFICKED
from tests.repatriation.conftest import READY, STEPS_TO_READY

OPENED = datetime(2025, 10, 20, 23, 30, tzinfo=UTC)  # 06:30 on the 21st in Thai time
SCREENED = datetime(2025, 10, 22, 3, 0, tzinfo=UTC)
REFERRED = datetime(2025, 10, 24, 18, 0, tzinfo=UTC)  # 01:00 on the 25th in Thai time
DUE = date(2025, 11, 8)


def _facts(**kw) -> Facts:
    values = {"closed": False, "opened_at": OPENED, "interviewed": False, "decided": False,
              "screened_at": None, "referred_at": None, "follow_up_due_on": None}
    return Facts(**{**values, **kw})


@pytest.mark.parametrize(("facts", "stored"), [
    (_facts(), Stored(NextStep.INTERVIEW, date(2025, 10, 21), None)),
    (_facts(follow_up_due_on=DUE), Stored(NextStep.INTERVIEW, date(2025, 10, 21), None)),
    (_facts(decided=True, referred_at=REFERRED),
     Stored(NextStep.INTERVIEW, date(2025, 10, 21), None)),
    (_facts(interviewed=True, screened_at=SCREENED),
     Stored(NextStep.DECIDE, date(2025, 10, 22), None)),
    (_facts(interviewed=True, screened_at=SCREENED, follow_up_due_on=DUE),
     Stored(NextStep.DECIDE, date(2025, 10, 22), None)),
    (_facts(interviewed=True, decided=True), Stored(NextStep.NONE, None, None)),
    (_facts(interviewed=True, decided=True, follow_up_due_on=DUE),
     Stored(NextStep.NONE, None, DUE)),
    (_facts(interviewed=True, decided=True, referred_at=REFERRED),
     Stored(NextStep.REFERRAL, date(2025, 10, 25), None)),
    (_facts(interviewed=True, decided=True, referred_at=REFERRED, follow_up_due_on=DUE),
     Stored(NextStep.REFERRAL, date(2025, 10, 25), DUE)),
    (_facts(closed=True), Stored(NextStep.CLOSED, None, None)),
    (_facts(closed=True, interviewed=True, decided=True, referred_at=REFERRED,
            follow_up_due_on=DUE), Stored(NextStep.CLOSED, None, None)),
])
def test_decide(facts, stored):
    assert next_step.decide(facts) == stored


@pytest.mark.parametrize(("stored", "due", "today", "step"), [
    ("referral", DUE, DUE - timedelta(days=1), NextStep.REFERRAL),
    ("referral", DUE, DUE, NextStep.FOLLOW_UP),
    ("none", DUE, DUE + timedelta(days=30), NextStep.FOLLOW_UP),
    ("none", None, DUE, NextStep.NONE),
    ("interview", None, DUE, NextStep.INTERVIEW),
    ("decide", None, DUE, NextStep.DECIDE),
    ("closed", None, DUE, NextStep.CLOSED),
])
def test_follow_ups_fall_due_with_the_days(stored, due, today, step):
    assert next_step.current(stored, due, today) is step


# --- every write ---------------------------------------------------------------------------

DAYS_AFTER = (0, 1, 3, 7, 8, 14, 15, 40)


def _stored(session, today: date) -> dict[int, tuple[str, date | None]]:
    session.expire_all()
    found = {}
    for case_id, stored, waiting_on, due_on in session.exec(
            select(Case.id, Case.next_step, Case.waiting_on, Case.follow_up_due_on)):
        step = next_step.current(stored, due_on, today)
        found[case_id] = (step.value, next_step.waiting_since(step, waiting_on, due_on))
    return found


def _latest_agree(session, after: str) -> None:
    """The suggestion and outcome kept on each case are app.cases.latest's."""
    session.expire_all()
    rows = session.exec(select(Case.id, Case.latest_suggestion, Case.latest_outcome,
                               latest_value(Screening, "classification"),
                               latest_value(Determination, "outcome"))).all()
    assert any(row[1] for row in rows)
    differ = {row[0]: row[1:] for row in rows if row[1:3] != row[3:]}
    assert not differ, f"after {after}: (kept, defined) {differ}"


def _agree(session, after: str) -> None:
    """What is stored says, today and on the days after, what the rows say."""
    _latest_agree(session, after)
    for days in DAYS_AFTER:
        today = local_today() + timedelta(days=days)
        stored, computed = _stored(session, today), computed_queue.next_steps(session, today)
        differ = {i: (stored[i], computed[i]) for i in computed if stored.get(i) != computed[i]}
        assert not differ, f"after {after}, in {days} days: (stored, computed) {differ}"


def _ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response.json()


def test_every_write_stores_the_next_step_its_rows_give(client, session, login_as):
    caseworker = login_as("caseworker", organization="Next Step Care")
    coordinator = login_as("coordinator", organization="Next Step Coordination")
    org = session.get(Organization, caseworker.user.organization_id)
    people = [factories.make_person(session, organization=org, nationality_code="PH")
              for _ in range(2)]
    # a case interviewed under rules version 1 long ago, waiting for its decision since
    old = factories.make_case(session, person=people[1], organization=org,
                              assigned_to=caseworker.user)
    factories.make_screening(session, case=old, answers=TRAFFICKED, rules_version=1,
                             created_by=caseworker.user)
    session.commit()
    worker, coordinating = caseworker.headers, coordinator.headers
    _agree(session, "the factories")

    case_id = _ok(client.post("/api/v1/cases", headers=worker,
                              json={"person_id": people[0].id}), 201)["id"]
    api = f"/api/v1/cases/{case_id}"
    _agree(session, "opening a case")
    _ok(client.post(f"{api}/interviews", headers=worker,
                    json={"consent_given": True, "answers": TRAFFICKED}), 201)
    _agree(session, "an interview")
    # the follow-up an undetermined decision proposes, there already: none is proposed
    planned = _ok(client.post(f"{api}/follow-ups", headers=worker, json={
        "title": "Complete the assessment and decide",
        "due_on": (local_today() + timedelta(days=2)).isoformat()}), 201)["id"]
    _agree(session, "a follow-up before the decision")
    _ok(client.post(f"{api}/determination", headers=worker,
                    json={"outcome": "undetermined", "rationale": "More to learn"}), 201)
    assert not session.exec(select(FollowUp.id).where(FollowUp.case_id == case_id,
                                                      FollowUp.proposed)).all()
    _agree(session, "a determination that leaves the case as it was (open, nothing proposed)")
    mine = _ok(client.post(f"{api}/follow-ups", headers=worker, json={
        "title": "Call the embassy", "due_on": local_today().isoformat()}), 201)["id"]
    _agree(session, "a follow-up due today")
    for follow_up, change in ((mine, {"done": True}), (planned, {"dropped": True}),
                              (planned, {"dropped": False}), (mine, {"done": False}),
                              (mine, {"due_on": (local_today() + timedelta(days=9))
                                      .isoformat()}),
                              (planned, {"done": True})):
        _ok(client.patch(f"/api/v1/follow-ups/{follow_up}", headers=worker, json=change))
        _agree(session, f"a follow-up changed: {change}")
    _ok(client.post(f"{api}/determination", headers=worker,
                    json={"outcome": "trafficking_victim"}), 201)
    _agree(session, "a determination that determines the case")
    referrals = [_ok(client.post(f"{api}/referrals", headers=worker, json={
        "service": service, "recipient": "Partner", "consent_to_share": True}), 201)["id"]
        for service in ("shelter", "legal")]
    _agree(session, "referrals made")
    for referral, status in ((referrals[0], "accepted"), (referrals[1], "declined")):
        _ok(client.patch(f"/api/v1/referrals/{referral}", headers=coordinating,
                         json={"status": status}))
        _agree(session, f"a referral {status}")
    _ok(client.post(f"{api}/repatriation", headers=worker, json=READY), 201)
    for stage in (*STEPS_TO_READY, "exit_cleared", "departed", "received"):
        _ok(client.patch(f"{api}/repatriation", headers=worker, json={"stage": stage}))
    _agree(session, "a repatriation received at home (its closure proposed)")
    _ok(client.post(f"{api}/close", headers=worker,
                    json={"reason": "repatriated", "note": "Home"}))
    _agree(session, "a closure")
    _ok(client.post(f"{api}/reopen", headers=worker, json={"note": "Came back"}))
    _agree(session, "a reopening")
    _ok(client.post("/api/v1/screening/rescreen", headers=coordinating,
                    params={"rules_version": 2}))
    _agree(session, "a re-screening")

    sheet = io.StringIO()
    csv.writer(sheet).writerows([
        ["prs_FirstName", "prs_SecondName", "con_Consent", "vic_TraffickingStatus",
         "cas_Status", "cas_ReasonForCaseClosure"],
        ["Imported", "Open", "true", "", "Active", ""],
        ["Imported", "Decided", "true", "ActualVictimOfTrafficking", "FollowUp", ""],
        ["Imported", "Closed", "true", "NotAVictimOfTrafficking", "Closed",
         "Returned home (repatriated)"]])
    report = _ok(client.post("/api/v1/imports/htcds", headers=worker, files={
        "file": ("cases.csv", io.BytesIO(sheet.getvalue().encode()), "text/csv")}))
    assert report["cases_created"] == 3
    _agree(session, "an HTCDS import")


# --- the queue ---------------------------------------------------------------------------

@pytest.fixture
def varied(session, login_as):
    caseworker = login_as("caseworker", organization="Varied Care")
    org = session.get(Organization, caseworker.user.organization_id)
    cases = computed_queue.make_varied_cases(session, organization=org,
                                             caseworker=caseworker.user, today=local_today())
    elsewhere = factories.make_organization(session, name="Elsewhere Care")
    someone, _ = factories.make_user(session, role="caseworker", organization=elsewhere)
    computed_queue.make_varied_cases(session, organization=elsewhere, caseworker=someone,
                                     today=local_today())
    next_step.refresh(session)  # the cases were opened days ago
    session.commit()
    return caseworker, cases


def test_the_varied_cases_are_stored_as_their_rows_say(session, varied):
    _agree(session, "the factories and a refresh")
    steps = {step for step, _day in _stored(session, local_today()).values()}
    assert steps == {s.value for s in NextStep}


@pytest.mark.parametrize("days", [0, 4, 12])
@pytest.mark.parametrize("step", [None, *NextStep])
def test_the_queue_lists_the_cases_it_listed_before(session, varied, monkeypatch, step, days):
    """Each filter, each sort either way, on the days follow-ups fall due."""
    caseworker, _cases = varied
    actor = Actor.of(caseworker.user)
    today = local_today() + timedelta(days=days)
    monkeypatch.setattr("app.pages.case_queue.local_today", lambda: today)
    for sort in [*(s.value for s in Sort), *(f"-{s.value}" for s in Sort)]:
        expected = computed_queue.queue(session, actor=actor, today=today, next_step=step,
                                        sort=sort)
        rows, total = case_queue(session, actor=actor, page=PageParams(limit=100, offset=0),
                                 next_step=step, sort=sort)
        assert [(r.id, r.next_step, r.waiting_since) for r in rows] == expected, sort
        assert total == len(expected)
