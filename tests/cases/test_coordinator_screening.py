"""Issue 10.3, written as the attack: a coordinator reads every screening of many cases and
tries to rebuild the interview's answers. The coordinator's view is a function of the
suggestion and the dimensions present only: no indicator code, no indicator's words, and two
different sets of answers with the same dimensions present read exactly alike."""

import random
import re
from datetime import date

import pytest

from app.screening.catalogue import INDICATORS

CODES = re.compile(r"\b(?:{})\b".format("|".join(re.escape(i.code) for i in INDICATORS)))


def _answers(rng: random.Random) -> dict[str, str]:
    return {i.code: rng.choice(["yes", "no", "unknown"]) for i in INDICATORS}


def _leaks(text: str) -> list[str]:
    found = CODES.findall(text)
    found += [i.label for i in INDICATORS if i.label.lower() in text.lower()]
    return found


@pytest.fixture
def coordinator(login_as):
    return login_as("coordinator", organization="Coordination Centre")


def test_coordinator_cannot_rebuild_answers_from_screenings(desk, coordinator, client):
    rng = random.Random(10_3)
    views: dict[tuple, dict] = {}
    for _n in range(24):
        case = desk.open_case(date_of_birth=date(1990, 1, 1))
        answers = _answers(rng)
        assert desk.interview(case["id"], answers).status_code == 201
        for path in (f"/api/v1/cases/{case['id']}/screening",
                     f"/api/v1/cases/{case['id']}/screenings",
                     f"/api/v1/cases/{case['id']}"):
            response = client.get(path, headers=coordinator.headers)
            assert response.status_code == 200, (path, response.text)
            assert _leaks(response.text) == [], (path, _leaks(response.text))
        page = client.get(f"/cases/{case['id']}", headers=coordinator.headers)
        assert page.status_code == 200
        assert _leaks(page.text) == [], _leaks(page.text)

        screening = client.get(f"/api/v1/cases/{case['id']}/screening",
                               headers=coordinator.headers).json()
        assert screening["unknown"] is None
        assert all(d["yes"] is None and d["unknown"] is None for d in screening["dimensions"])
        key = (screening["classification"], screening["age_group"],
               tuple(d["present"] for d in screening["dimensions"]))
        view = {k: v for k, v in screening.items()
                if k not in ("id", "interview_id", "case_id", "created_at")}
        if key in views:
            # different answers, same dimensions: the coordinator reads the same thing
            assert view == views[key]
        views[key] = view
    assert len(views) < 24, "the attack needs answer sets that share their dimensions"


def test_owning_caseworker_keeps_the_full_screening(desk, client):
    case = desk.open_case(date_of_birth=date(1990, 1, 1))
    answers = {i.code: "unknown" for i in INDICATORS}
    answers[INDICATORS[0].code] = "yes"
    assert desk.interview(case["id"], answers).status_code == 201
    screening = client.get(f"/api/v1/cases/{case['id']}/screening", headers=desk.headers).json()
    assert INDICATORS[0].code in {c for d in screening["dimensions"]
                                  for codes in d["yes"].values() for c in codes}
    assert len(screening["unknown"]) == len(INDICATORS) - 1
    page = client.get(f"/cases/{case['id']}", headers=desk.headers)
    assert INDICATORS[0].code in page.text
