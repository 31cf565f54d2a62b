"""The pipeline month audited as a whole (app.reports.pipeline_audit): what a reader without
exact counts reads of a month, with the stage order, the group sums and the totals, pins no
count from 1 to 4, no "<5" to 0, and no difference of two stages between 1 and 4. Checked by
an independent integer-programme attacker (tests.reports.attacker.attack_pipeline)."""

import random
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlmodel import select

from app.repatriation.models import RepatriationStageChange
from app.reports import pipeline, pipeline_audit
from tests import factories
from tests.reports.attacker import attack_pipeline

KEYS = [c.key for c in pipeline.COLUMNS]
PARTS: dict[str, list[str]] = {}
for _part, _total in pipeline.PART_OF.items():
    PARTS.setdefault(_total, []).append(_part)
ORDER = pipeline_audit.STAGE_ORDER
BORDER = pipeline.CROSSINGS_AND_DEPARTURES


def _row(crossed, case=0, interview=0, suggestions=(0, 0, 0), determined=0,
         determinations=(0, 0, 0), referral=0, repatriation=0, departed=0):
    counts = dict.fromkeys(KEYS, 0)
    counts.update(crossed=crossed, case=case, interview=interview, determined=determined,
                  referral=referral, repatriation_started=repatriation, departed=departed)
    for key, value in zip(PARTS["interview"], suggestions, strict=True):
        counts[key] = value
    for key, value in zip(PARTS["determined"], determinations, strict=True):
        counts[key] = value
    return counts


def _published(rows: list[dict]) -> list[dict]:
    raw = [(f"N{i}", f"N{i}", counts) for i, counts in enumerate(rows)]
    first = pipeline._publish(raw, pipeline.COLUMNS, threshold=5, exact=False)
    return pipeline_audit.audit(rows, first, keys=KEYS, groups=pipeline.PART_OF, threshold=5)


def _leaks(cells: list[dict], keys=KEYS) -> list:
    view = [{k: row[k] for k in keys} for row in cells]
    order = [(a, b) for a, b in ORDER if a in keys and b in keys]
    if "departed" in keys and "repatriation_started" not in keys:
        order.append(("departed", "crossed"))  # what a border official knows of it
    parts = {t: ps for t, ps in PARTS.items() if t in keys}
    return attack_pipeline(view[:-1], view[-1], threshold=5, order=order, parts=parts)


# the tester's month: India 50 (40 trafficking victims, 5 willing workers, 5 undetermined),
# the Philippines 5, all of them at every stage, Myanmar 1, a trafficking victim
TESTERS_MONTH = [
    _row(50, 50, 50, (40, 5, 5), 50, (40, 5, 5), repatriation=45, departed=40),
    _row(5, 5, 5, (5, 0, 0), 5, (5, 0, 0), repatriation=5, departed=5),
    _row(1, 1, 1, (1, 0, 0), 1, (1, 0, 0), repatriation=1, departed=1),
]


def test_the_first_pass_alone_gave_the_myanmar_determination_away():
    raw = [(f"N{i}", f"N{i}", counts) for i, counts in enumerate(TESTERS_MONTH)]
    first = pipeline._publish(raw, pipeline.COLUMNS, threshold=5, exact=False)
    leaks = _leaks(first)
    assert (2, "determination_trafficking_victim", 1, 1) in leaks
    assert (2, "departed", 1, 1) in _leaks(first, BORDER)


def test_the_testers_month_pins_nothing_for_a_caseworker_or_a_border_official():
    cells = _published(TESTERS_MONTH)
    assert _leaks(cells) == []
    assert _leaks(cells, BORDER) == []
    assert [row["crossed"] for row in cells] == [50, 5, 1, 56]  # crossings stay exact
    assert cells[0]["determination_trafficking_victim"] == 40  # India's is safe to show


def test_a_difference_of_two_stages_from_1_to_4_is_hidden():
    # Sri Lanka: 6 cases, 5 interviews (one person with a case and no interview);
    # Ukraine: 8 crossed, 5 cases (three without one)
    rows = [_row(40, 30, 25, (20, 5, 0), 25, (20, 5, 0), referral=10),
            _row(6, 6, 5, (5, 0, 0), 5, (5, 0, 0)),
            _row(8, 5, 5, (5, 0, 0), 0)]
    cells = _published(rows)
    assert not (isinstance(cells[1]["case"], int) and isinstance(cells[1]["interview"], int))
    assert not isinstance(cells[2]["case"], int)
    assert _leaks(cells) == []


def test_the_audit_is_deterministic_and_keeps_large_counts_shown():
    rows = [_row(60, 40, 30, (20, 5, 5), 20, (10, 5, 5), referral=10, repatriation=10,
                 departed=5),
            _row(30, 20, 15, (5, 5, 5), 10, (5, 5, 0), referral=5, repatriation=5,
                 departed=5)]
    assert _published(rows) == _published(rows)
    assert _published(rows)[0]["case"] == 40


def _random_row(rng: random.Random) -> dict:
    crossed = rng.choice([1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 45])
    counts = dict.fromkeys(KEYS, 0)
    counts["crossed"] = crossed
    case = counts["case"] = rng.randint(0, crossed)
    for key in ("interview", "determined", "referral", "repatriation_started", "closed"):
        counts[key] = rng.randint(0, case)
    counts["departed"] = rng.randint(0, counts["repatriation_started"])
    for total, parts in PARTS.items():
        for _ in range(counts[total]):
            counts[rng.choice(parts)] += 1
    return counts


@pytest.mark.parametrize("seed", range(24))
def test_random_months_pin_nothing(seed):
    rng = random.Random(seed)
    rows = [_random_row(rng) for _ in range(rng.randint(2, 4))]
    cells = _published(rows)
    assert _leaks(cells) == [], rows
    assert _leaks(cells, BORDER) == [], rows


JULY = lambda d: datetime(2026, 7, d, 3, tzinfo=UTC)  # noqa: E731


@pytest.fixture
def border_month(session):
    """The tester's border month: July 2026, India 50 crossed (40 departed), the Philippines 5
    (5 departed), Laos 1 (departed): stages recorded in July."""
    ngo = factories.make_organization(session, name="Border Care Foundation")
    worker, _ = factories.make_user(session, role="caseworker", organization=ngo)
    for nationality, crossed, departed in (("IN", 50, 40), ("PH", 5, 5), ("LA", 1, 1)):
        for n in range(crossed):
            person = factories.make_person(session, organization=ngo,
                                           nationality_code=nationality)
            factories.make_crossing(session, person=person, crossed_at=JULY(2),
                                    created_at=JULY(2))
            if n >= departed:
                continue
            case = factories.make_case(session, person=person, organization=ngo,
                                       assigned_to=worker)
            case.created_at = JULY(3)
            repatriation = factories.make_repatriation(session, case=case, created_by=worker,
                                                       stage="departed")
            for change in session.exec(select(RepatriationStageChange).where(
                    RepatriationStageChange.repatriation_id == repatriation.id)):
                change.changed_at = JULY(4)
    session.commit()


def _july(client, headers):
    response = client.get("/api/v1/stats/pipeline", headers=headers,
                          params={"from": "2026-07-01", "to": "2026-07-31"})
    assert response.status_code == 200, response.text
    body = response.json()
    return [*(r["counts"] for r in body["rows"]), body["overall"]]


def test_the_testers_border_month_through_the_api(client, border_month, login_as):
    border = _july(client, login_as("border_official").headers)
    assert [row["crossed"] for row in border] == [50, 5, 1, 56]
    assert _leaks(border, BORDER) == []
    caseworker = _july(client, login_as("caseworker").headers)
    assert _leaks(caseworker) == []
    # one table, read in each role's columns
    assert [row["departed"] for row in caseworker] == [row["departed"] for row in border]
    coordinator = _july(client, login_as("coordinator").headers)
    assert [row["departed"] for row in coordinator] == [40, 5, 1, 46]


def test_the_programme_falls_back_to_whole_numbers_when_the_vertex_is_fractional():
    # 2a >= 1 and a + b = 1 with a, b in 0..3: the linear programme's least a is 0.5; the
    # least whole a is 1 (b 0), and the most is 1 too
    rows = np.array([[2.0, 0.0], [1.0, 1.0]])
    programme = pipeline_audit._Programme(rows, np.array([1.0, 1.0]), np.array([np.inf, 1.0]),
                                          np.array([3.0, 3.0]))
    assert list(programme.least(np.array([1.0, 0.0]))) == [1.0, 0.0]
    assert list(programme.least(np.array([-1.0, 0.0]))) == [1.0, 0.0]
    # and after it, linear again: the least b
    assert list(programme.least(np.array([0.0, 1.0]))) == [1.0, 0.0]
