from dataclasses import dataclass

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from tests import factories


@dataclass
class Desk:
    """A signed-in caseworker of one organisation, and helpers to open cases there."""

    client: object
    session: object
    signed_in: object
    organization: object

    @property
    def headers(self) -> dict[str, str]:
        return self.signed_in.headers

    def person(self, **overrides):
        person = factories.make_person(self.session, organization=self.organization,
                                       **overrides)
        self.session.commit()
        return person

    def open_case(self, **person_overrides) -> dict:
        person = self.person(**person_overrides)
        response = self.client.post("/api/v1/cases", headers=self.headers,
                                    json={"person_id": person.id})
        assert response.status_code == 201, response.text
        return response.json()

    def interview(self, case_id: int, answers: dict | None = None, **fields):
        body = {"consent_given": True, "answers": answers or {}, **fields}
        return self.client.post(f"/api/v1/cases/{case_id}/interviews", headers=self.headers,
                                json=body)


@pytest.fixture
def desk(client, session, login_as):
    signed_in = login_as("caseworker", organization="Border Care Foundation")
    org = factories.make_organization(session, name="Border Care Foundation")
    return Desk(client, session, signed_in, org)


@pytest.fixture
def other_desk(client, session, login_as):
    signed_in = login_as("caseworker", organization="Safe Return Legal Aid")
    org = factories.make_organization(session, name="Safe Return Legal Aid")
    return Desk(client, session, signed_in, org)


def denied_events(session, user_id: int) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.actor_id == user_id,
                                                      AuditEvent.outcome == "denied")).all())


# answers that meet the adult rule: DR, EX and CD present
TRAFFICKED = {"DR1": "yes", "DR2": "yes", "EX1": "yes", "EX2": "yes", "CD1": "yes",
              "CD3": "yes"}
# nothing meets a rule, and every strong indicator is answered no
ALL_NO = {code: "no" for code in (
    "DR1", "DR2", "DR3", "DR4", "DR5", "DR6", "DR7", "CR1", "CR2", "CR3", "CR4", "CR5", "CR6",
    "VR1", "VR2", "VR3", "VR4", "VR5", "EX1", "EX2", "EX3", "EX4", "EX5", "EX6", "CD1", "CD2",
    "CD3", "CD4", "CD5", "CD6", "CD7", "CD8", "CD9", "CD10", "CD11", "VD1", "VD2", "VD3",
    "VD4", "VD5")}
