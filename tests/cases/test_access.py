"""The role matrix of DESIGN.md for cases, interviews, screenings and determinations."""

import pytest

from tests.cases.conftest import TRAFFICKED, denied_events

ROUTES = {
    "list cases": ("GET", "/api/v1/cases", None),
    "create case": ("POST", "/api/v1/cases", "person"),
    "read case": ("GET", "/api/v1/cases/{id}", None),
    "record interview": ("POST", "/api/v1/cases/{id}/interviews", "interview"),
    "read interviews": ("GET", "/api/v1/cases/{id}/interviews", None),
    "read screening": ("GET", "/api/v1/cases/{id}/screening", None),
    "read screenings": ("GET", "/api/v1/cases/{id}/screenings", None),
    "record determination": ("POST", "/api/v1/cases/{id}/determination", "determination"),
    "read determinations": ("GET", "/api/v1/cases/{id}/determinations", None),
    "outcome counts": ("GET", "/api/v1/stats/outcomes", None),
}

# what each role gets on a case of another organisation (caseworker: 404, hidden)
EXPECTED = {
    "caseworker": {"list cases": 200, "create case": 404, "read case": 404,
                   "record interview": 404, "read interviews": 404, "read screening": 404,
                   "read screenings": 404, "record determination": 404,
                   "read determinations": 404, "outcome counts": 200},
    "border_official": {name: 403 for name in ROUTES} | {"outcome counts": 200},
    "coordinator": {"list cases": 200, "create case": 403, "read case": 200,
                    "record interview": 403, "read interviews": 403, "read screening": 200,
                    "read screenings": 200, "record determination": 403,
                    "read determinations": 200, "outcome counts": 200},
    "admin": {name: 403 for name in ROUTES} | {"outcome counts": 200},
}


def _call(client, headers, route: str, case: dict):
    method, path, body = ROUTES[route]
    json = {"person": {"person_id": case["person_id"]},
            "interview": {"consent_given": True, "answers": TRAFFICKED},
            "determination": {"outcome": "trafficking_victim"},
            None: None}[body]
    return client.request(method, path.format(id=case["id"]), headers=headers, json=json)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("role", list(EXPECTED))
def test_case_routes_by_role(desk, login_as, session, role, route):
    case = desk.open_case()
    desk.interview(case["id"], TRAFFICKED)
    signed_in = login_as(role, organization=f"Another {role} organisation")
    response = _call(desk.client, signed_in.headers, route, case)
    expected = EXPECTED[role][route]
    assert response.status_code == expected, response.text
    denied = denied_events(session, signed_in.user.id)
    if expected in (403, 404):
        assert len(denied) == 1
        assert denied[0].detail["status"] == expected
        if "{id}" in ROUTES[route][1]:
            assert denied[0].entity_id == str(case["id"])
        elif route == "create case" and expected == 404:
            assert denied[0].entity_id == str(case["person_id"])
    else:
        assert denied == []


@pytest.mark.parametrize("route", list(ROUTES))
def test_case_routes_need_sign_in(client, desk, route):
    case = desk.open_case()
    response = _call(client, {}, route, case)
    assert response.status_code == 401


def test_caseworker_of_the_owning_organisation_may_do_everything(desk):
    case = desk.open_case()
    for route in ROUTES:
        if route == "create case":
            continue
        response = _call(desk.client, desk.headers, route, case)
        assert response.status_code in (200, 201), (route, response.text)


def test_border_official_gets_403_on_a_case_screening(desk, login_as, session):
    case = desk.open_case()
    desk.interview(case["id"], TRAFFICKED)
    border = login_as("border_official", organization="Mae Sot Border Post")
    response = desk.client.get(f"/api/v1/cases/{case['id']}/screening",
                               headers=border.headers)
    assert response.status_code == 403
    assert "trafficking" not in response.text
    [event] = denied_events(session, border.user.id)
    assert event.action == "GET /api/v1/cases/{case_id}/screening"
    assert event.entity_id == str(case["id"])
