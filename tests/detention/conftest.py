from dataclasses import dataclass

import pytest

from tests.cases.conftest import TRAFFICKED
from tests.referrals.helpers import caseworker_case

NARRATIVE = "Kept in building B4 by a man called Uncle Zhao, beaten for missing the quota."
DETAINED = {"detained": True, "charged": True, "authority": "Mae Sot Immigration Police",
            "place": "Mae Sot Immigration Detention Centre", "since": "2025-10-23",
            "grounds": "immigration_offence", "note": "Held with 40 others.",
            "consent_to_share": True}


@dataclass
class Detained:
    """A caseworker's case whose person was interviewed (indicators found) and is detained."""

    client: object
    setup: object  # tests.referrals.helpers.CaseSetup

    @property
    def url(self) -> str:
        return f"/api/v1/cases/{self.setup.case.id}"

    @property
    def headers(self) -> dict:
        return self.setup.signed_in.headers

    def interview(self, answers: dict):
        response = self.client.post(f"{self.url}/interviews", headers=self.headers, json={
            "consent_given": True, "answers": answers, "narrative": NARRATIVE,
            "conducted_at": "2025-10-24T10:00:00+07:00", "section_notes": {"CD": "Guards."}})
        assert response.status_code == 201, response.text
        return response.json()

    def record(self, **fields):
        response = self.client.post(f"{self.url}/detention", headers=self.headers,
                                    json={**DETAINED, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def letter(self, headers=None):
        return self.client.get(f"{self.url}/non-punishment-letter.pdf",
                               headers=headers or self.headers)


@pytest.fixture
def make_detained(client, session, login_as):
    def make(*, answers: dict | None = TRAFFICKED, detention: dict | None = None, **person):
        setup = caseworker_case(session, login_as, **person)
        detained = Detained(client, setup)
        if answers is not None:
            detained.interview(answers)
        if detention is not None:
            detained.record(**detention)
        return detained

    return make
