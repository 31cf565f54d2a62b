from dataclasses import dataclass

import pytest

from tests.referrals.helpers import caseworker_case

# what a caseworker records for a person ready and willing to go home with their passport
READY = {"consent_to_return": "yes", "consent_to_return_on": "2025-10-28",
         "consent_to_share_with_embassy": "yes", "consent_to_share_on": "2025-10-28",
         "fear_of_return": "no", "travel_document_status": "with_person"}
STEPS_TO_READY = ("embassy_notified", "nationality_verified", "documents_ready")


@dataclass
class Journey:
    """A caseworker's case and helpers for its repatriation."""

    client: object
    setup: object  # tests.referrals.helpers.CaseSetup

    @property
    def url(self) -> str:
        return f"/api/v1/cases/{self.setup.case.id}/repatriation"

    @property
    def headers(self) -> dict:
        return self.setup.signed_in.headers

    def start(self, **fields):
        response = self.client.post(self.url, headers=self.headers, json=fields)
        assert response.status_code == 201, response.text
        return response.json()

    def patch(self, headers=None, **fields):
        return self.client.patch(self.url, headers=headers or self.headers, json=fields)

    def step(self, stage: str, **fields):
        response = self.patch(stage=stage, **fields)
        assert response.status_code == 200, response.text
        return response.json()

    def ready(self, **fields):
        """Started with READY (and `fields`) and walked to documents_ready."""
        body = self.start(**{**READY, **fields})
        for stage in STEPS_TO_READY:
            body = self.step(stage)
        return body


@pytest.fixture
def make_journey(client, session, login_as):
    def make(*, organization: str = "Border Care Foundation", **person):
        setup = caseworker_case(session, login_as, organization=organization, **person)
        return Journey(client, setup)

    return make


BATCH = {"name": "Air India special flight AI-1", "nationality_code": "IN",
         "departs_on": "2025-11-06", "mode": "flight", "carrier_reference": "IAF C-17",
         "exit_point": "Mae Sot Airport"}


@pytest.fixture
def coordinator(login_as):
    return login_as("coordinator", organization="Coordination Office")


@pytest.fixture
def make_batch_api(client, coordinator):
    def make(**fields):
        response = client.post("/api/v1/repatriation-batches", headers=coordinator.headers,
                               json={**BATCH, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    return make
