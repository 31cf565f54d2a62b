"""Schemathesis against Passage's own /openapi.json, as each role: no server errors, and every
response that the schema documents matches it. In-process through the ASGI app (no server, no
sockets), on a database of its own that requests really commit to; one test per operation,
which sends each generated request once as each role. Bounded: about 2,800 requests per role;
PASSAGE_FUZZ_EXAMPLES raises the number of generated examples per operation."""

import os
import re
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine
from sqlmodel import Session

from app.auth import service as auth_service
from app.config import get_settings
from app.db import make_engine
from app.main import create_app
from tests import factories
from tests.asgi_client import InThreadTestClient, schemathesis_session

ROLES = ("caseworker", "border_official", "coordinator", "admin")
MAX_EXAMPLES = int(os.environ.get("PASSAGE_FUZZ_EXAMPLES", "12"))
# signing in as the fuzzer would lock or revoke the role's own account mid-run
EXCLUDED = re.compile(r"^/api/v1/auth/(token|revoke)$")

CONFIG = schemathesis.Config.from_dict({
    "seed": 2025,
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
    # seconds; generous, as the machine may be busy: a request that hangs still fails
    "request-timeout": 120,
    "cache": {"enabled": False},
})


_engine: dict[str, Engine] = {}


def _session() -> Session:
    """A session on the database the `tokens` fixture made (the app is made before it)."""
    if "fuzzed" not in _engine:
        raise RuntimeError("the fuzzed app is used before the `tokens` fixture made its database")
    return Session(_engine["fuzzed"], expire_on_commit=False)


# Made at import so that schemathesis reads the schema while pytest collects (one test per
# operation).
fuzzed_app = create_app(get_settings(), session_factory=_session)
schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app, config=CONFIG).exclude(
    path_regex=EXCLUDED.pattern)


@pytest.fixture(scope="module")
def tokens(tmp_path_factory) -> dict[str, str]:
    """A fresh database for the app, and a bearer token per role (one user each)."""
    from tests.conftest import _create_database, _drop_database

    url = _create_database(tmp_path_factory.mktemp("fuzz"))
    engine = make_engine(url)
    tokens = {}
    with Session(engine, expire_on_commit=False) as session:
        for role in ROLES:
            org = factories.make_organization(session, name=f"Fuzz {role}")
            user, _ = factories.make_user(session, role=role, organization=org,
                                          username=f"fuzz-{role}")
            tokens[role], _ = auth_service.issue_token(session, user=user, client="fuzz")
        session.commit()
    _engine["fuzzed"] = engine
    yield tokens
    del _engine["fuzzed"]
    engine.dispose()
    _drop_database(url)


@pytest.fixture(scope="module")
def session(tokens):
    """The app's requests run in the test's own thread (tests/asgi_client.py), not handed to
    schemathesis's event loop thread and back."""
    with InThreadTestClient(fuzzed_app) as client:
        yield schemathesis_session(client)


@pytest.fixture(scope="module", params=[ROLES], ids=["as each role"])
def roles(request) -> tuple[str, ...]:
    """The roles each request is sent as. A parameter, so that each operation's test has an id
    of its own (pytest names an unparametrized schemathesis test by the function alone)."""
    return request.param


@pytest.fixture
def sent(roles) -> Counter:
    """How many requests a test sent as each role: some as every role."""
    counts: Counter = Counter()
    yield counts
    assert set(counts) == set(roles), counts


@schema.parametrize()
# `sent` counts every generated request of a test: not being reset per input is its point
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(case, roles, tokens, sent,
                                                                   session):
    for role in roles:
        try:
            case.call_and_validate(session=session,
                                   headers={"Authorization": f"Bearer {tokens[role]}"})
        except BaseException as failure:
            failure.add_note(f"(sent as {role})")
            raise
        sent[role] += 1


def test_every_operation_but_signing_in_is_fuzzed():
    fuzzed = {result.ok().path for result in schema.get_all_operations()}
    assert len(fuzzed) > 20 and not any(EXCLUDED.match(path) for path in fuzzed)
    assert "/api/v1/me" in fuzzed and "/api/v1/cases" in fuzzed
