"""Every code Passage stores and shows has its words in app/labels.py, and no label names a
code that does not exist."""

import pytest

from app import labels
from app.admin.schemas import OrganizationKind
from app.auth.permissions import Role
from app.cases.schemas import Outcome
from app.detention.schemas import Grounds
from app.people.schemas import Sex
from app.referrals.schemas import TRANSITIONS, ReferralService, ReferralStatus
from app.screening.rules import Classification


@pytest.mark.parametrize(("table", "codes"), [
    (labels.SUGGESTION_LABELS, set(Classification)),
    (labels.OUTCOME_LABELS, set(Outcome)),
    (labels.SEX_LABELS, set(Sex)),
    (labels.ROLE_LABELS, set(Role)),
    (labels.ORGANIZATION_KIND_LABELS, set(OrganizationKind)),
    (labels.SERVICE_LABELS, set(ReferralService)),
    (labels.STATUS_LABELS, set(ReferralStatus)),
    # a button for every status a referral can move to
    (labels.ACTION_LABELS, {s for moves in TRANSITIONS.values() for s in moves}),
    (labels.GROUNDS_LABELS, set(Grounds)),
])
def test_each_code_has_its_words(table, codes):
    assert set(table) == {code.value for code in codes}
    assert all(words.strip() for words in table.values())
    # the enum member itself finds the words of its stored value
    assert all(table[code] == table[code.value] for code in codes)
