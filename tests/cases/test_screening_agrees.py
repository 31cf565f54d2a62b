"""Screening through the API agrees with the pure rules of SCREENING.md on answer sets the
tests have never seen: seeded random answers, ages and dates, compared with screen()."""

import random
from datetime import date, datetime, timedelta

import pytest

from app.clock import LOCAL_TZ
from app.screening.catalogue import CURRENT_RULES_VERSION, INDICATORS
from app.screening.rules import age_group_at_recruitment, parse_answers, screen

SEEDS = range(8)
PER_SEED = 6


def _random_answers(rng: random.Random) -> dict[str, str]:
    # skewed towards "yes" in some sets, towards "no" in others, so all three suggestions occur
    weights = rng.choice([(5, 2, 1), (1, 5, 2), (2, 2, 2), (3, 1, 4)])
    answers = {}
    for indicator in INDICATORS:
        if rng.random() < 0.15:
            continue  # left out: counts as unknown
        answers[indicator.code] = rng.choices(["yes", "no", "unknown"], weights=weights)[0]
    return answers


def _random_person(rng: random.Random, interview_day: date) -> dict:
    kind = rng.choice(["dob", "dob", "estimate", "none"])
    if kind == "dob":
        return {"date_of_birth": interview_day - timedelta(days=rng.randint(14 * 365, 45 * 365)),
                "age_estimate": None}
    if kind == "estimate":
        return {"date_of_birth": None, "age_estimate": rng.randint(14, 45)}
    return {"date_of_birth": None, "age_estimate": None}


def _generated(seed: int):
    """PER_SEED interviews: (person, interview day, recruitment date, answers)."""
    rng = random.Random(seed)
    for _ in range(PER_SEED):
        interview_day = date(2025, 10, 1) + timedelta(days=rng.randint(0, 40))
        person = _random_person(rng, interview_day)
        recruited_on = None
        if rng.random() < 0.7:
            earliest = person["date_of_birth"] or date(1990, 1, 1)
            span = (interview_day - earliest).days
            recruited_on = interview_day - timedelta(days=rng.randint(0, min(span, 4 * 365)))
        yield person, interview_day, recruited_on, _random_answers(rng)


def _expected(person: dict, interview_day: date, recruited_on: date | None,
              answers: dict) -> tuple[int | None, dict]:
    age, group = age_group_at_recruitment(
        date_of_birth=person["date_of_birth"], recruited_on=recruited_on,
        age_estimate=person["age_estimate"], today=interview_day,
        rules_version=CURRENT_RULES_VERSION)
    return age, screen(parse_answers(answers), group,
                       rules_version=CURRENT_RULES_VERSION).to_dict()


def test_generated_answer_sets_cover_every_suggestion_and_age_group():
    outcomes = {(_expected(*item)[1]["classification"], _expected(*item)[1]["age_group"])
                for seed in SEEDS for item in _generated(seed)}
    assert {c for c, _ in outcomes} == {"trafficking_victim", "needs_assessment",
                                        "willing_worker"}
    assert {g for _, g in outcomes} == {"adult", "child", "unknown", "possibly_child"}


@pytest.mark.parametrize("seed", SEEDS)
def test_api_screening_agrees_with_the_rules_on_random_answers(desk, seed):
    for person, interview_day, recruited_on, answers in _generated(seed):
        case = desk.open_case(**person)
        conducted_at = datetime(interview_day.year, interview_day.month, interview_day.day,
                                10, tzinfo=LOCAL_TZ)
        response = desk.interview(case["id"], answers, conducted_at=conducted_at.isoformat(),
                                  recruited_on=recruited_on.isoformat() if recruited_on else None)
        assert response.status_code == 201, response.text

        age, expected = _expected(person, interview_day, recruited_on, answers)
        got = response.json()["screening"]
        assert got["age_at_recruitment"] == age
        assert {k: got[k] for k in expected} == expected
        stored = desk.client.get(f"/api/v1/cases/{case['id']}/screening",
                                 headers=desk.headers).json()
        assert stored == got
