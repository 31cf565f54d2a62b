"""The pipeline's repatriation columns from the repatriations recorded: started (not
cancelled) and departed (departed or received); an exit is not an arrival."""

from tests import factories

V1 = "/api/v1"


def test_pipeline_counts_repatriations_started_and_departed(client, session, login_as):
    coordinator = login_as("coordinator", organization="Coordination Office")
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    org = factories.make_organization(session, name="Border Care Foundation")
    stages = ["planning", "documents_ready", "departed", "received", "cancelled", None]
    for stage in stages:
        person = factories.make_person(session, organization=org, nationality_code="IN")
        factories.make_crossing(session, person=person, organization=org)
        if stage is None:
            continue
        case = factories.make_case(session, person=person, organization=org)
        factories.make_repatriation(session, case=case, created_by=caseworker.user,
                                    stage=stage)
        if stage in ("departed", "received"):
            factories.make_crossing(session, person=person, organization=org,
                                    crossed_at=factories.aware(2025, 11, 6), direction="exit")
    session.commit()
    response = client.get(f"{V1}/stats/pipeline", headers=coordinator.headers,
                          params={"from": "2025-10-01", "to": "2025-11-30"})
    assert response.status_code == 200, response.text
    overall = response.json()["overall"]
    assert overall["crossed"] == 6  # the exits on 6 Nov are not arrivals
    assert overall["repatriation_started"] == 4
    assert overall["departed"] == 2
    assert response.json()["repatriation_recorded"] is True
    border = login_as("border_official", organization="Mae Sot Border Post")
    seen = client.get(f"{V1}/stats/pipeline", headers=border.headers,
                      params={"from": "2025-10-01", "to": "2025-11-30"}).json()
    # one table a month (app.reports.disclosure), as recorded before this month began
    october = seen["months"][0]
    assert set(october["overall"]) == {"crossed", "departed"}
    assert october["overall"]["departed"] == "<5"
