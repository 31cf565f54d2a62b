"""The attack: tell which user names are accounts by how long a failed sign-in takes.

Every guess fails the same way ("Incorrect username or password"), so the only signal left is
time. These tests run the production argon2 parameters (the cheap test ones would hide a
missing hash in the noise) and compare the median time of failed sign-ins for a real account
and for a name that is no account, with a normal and with a very long password. Requests for
the two names alternate, so that a loaded machine slows both alike."""

import statistics
import time

import pytest
from sqlalchemy import delete

from app.auth.models import SignInFailure, SignInLock
from app.auth.security import MAX_PASSWORD_LENGTH
from app.config import get_settings
from tests import factories

ROUNDS = 9
NORMAL_WRONG = "not the password, but a plausible one"
VERY_LONG = "x" * 200_000


@pytest.fixture
def production_argon2(monkeypatch):
    monkeypatch.setenv("PASSAGE_ARGON2_TIME_COST", "3")
    monkeypatch.setenv("PASSAGE_ARGON2_MEMORY_COST", "65536")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _median_times(client, session, names: list[str], password: str) -> dict[str, float]:
    """Median milliseconds of a failed sign-in per name, the names taking turns going first."""
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_no in range(ROUNDS):
        order = names if round_no % 2 == 0 else names[::-1]
        for name in order:
            # each try starts with no failures on record: the lock is a different answer and
            # is tested elsewhere; here only the work of checking the password is compared
            session.exec(delete(SignInFailure))
            session.exec(delete(SignInLock))
            session.commit()
            started = time.perf_counter()
            response = client.post("/api/v1/auth/token",
                                   data={"username": name, "password": password})
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code in (401, 422), response.text
    return {name: statistics.median(values) for name, values in times.items()}


def _assert_indistinguishable(medians: dict[str, float]) -> None:
    known, unknown = medians["timing-known"], medians["timing-nobody"]
    slower, faster = max(known, unknown), min(known, unknown)
    print(f"median ms: known {known:.1f}, unknown {unknown:.1f}")
    # A skipped password hash shows as a gap of a whole hash: 90 ms or more against a few, a
    # ratio of ten or more. A loaded machine stretches a hash to half a second and more, with
    # some per cent of noise, so the bound is a ratio, with a few milliseconds' allowance for
    # answers that take almost no time at all.
    assert slower / faster < 1.25 or slower - faster < 5, medians


@pytest.mark.parametrize("password", [NORMAL_WRONG, VERY_LONG], ids=["normal", "very-long"])
def test_failed_sign_in_takes_as_long_for_a_real_account_as_for_no_account(
        client, session, production_argon2, password):
    factories.make_user(session, role="admin", username="timing-known")
    session.commit()
    medians = _median_times(client, session, ["timing-known", "timing-nobody"], password)
    _assert_indistinguishable(medians)


def test_a_too_long_password_gets_the_same_answer_for_any_name(client, session):
    factories.make_user(session, role="admin", username="timing-known")
    session.commit()
    answers = [client.post("/api/v1/auth/token",
                           data={"username": name, "password": "y" * (MAX_PASSWORD_LENGTH + 1)})
               for name in ("timing-known", "timing-nobody")]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["detail"][0]["loc"] == ["body", "password"]
