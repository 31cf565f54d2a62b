"""Administration is for administrators: every other role gets 403 and the refusal is
audited; anonymous callers get 401 (API) or the sign-in page."""

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from tests import factories
from tests.pages import csrf_from, sign_in

API_ROUTES = [
    ("GET", "/api/v1/admin/users", "/api/v1/admin/users", None),
    ("POST", "/api/v1/admin/users", "/api/v1/admin/users",
     {"username": "x", "password": "long enough password", "role": "admin",
      "organization_id": 1}),
    ("GET", "/api/v1/admin/users/1", "/api/v1/admin/users/{user_id}", None),
    ("PATCH", "/api/v1/admin/users/1", "/api/v1/admin/users/{user_id}", {"is_active": False}),
    ("DELETE", "/api/v1/admin/users/1/sessions", "/api/v1/admin/users/{user_id}/sessions",
     None),
    ("GET", "/api/v1/admin/organizations", "/api/v1/admin/organizations", None),
    ("POST", "/api/v1/admin/organizations", "/api/v1/admin/organizations", {"name": "X"}),
    ("GET", "/api/v1/admin/sign-in-locks", "/api/v1/admin/sign-in-locks", None),
    ("DELETE", "/api/v1/admin/sign-in-locks/1", "/api/v1/admin/sign-in-locks/{lock_id}", None),
    ("GET", "/api/v1/audit", "/api/v1/audit", None),
]
PAGES = ["/admin/users", "/admin/users/1", "/admin/organizations", "/admin/sign-in-locks",
         "/admin/audit", "/admin/audit.csv"]
PAGE_POSTS = ["/admin/users", "/admin/users/1", "/admin/users/1/disable",
              "/admin/users/1/enable", "/admin/users/1/password", "/admin/users/1/end-sessions",
              "/admin/organizations", "/admin/sign-in-locks/1/lift"]
OTHER_ROLES = ["caseworker", "border_official", "coordinator"]


def _denied(session, user_id: int) -> list[str]:
    return list(session.exec(select(AuditEvent.action).where(
        AuditEvent.actor_id == user_id, AuditEvent.outcome == "denied")
        .order_by(AuditEvent.id)).all())


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize(("method", "path", "template", "body"), API_ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in API_ROUTES])
def test_admin_api_is_403_for_other_roles_and_audited(client, session, login_as, role, method,
                                                      path, template, body):
    signed_in = login_as(role)
    response = client.request(method, path, headers=signed_in.headers, json=body)
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this"}
    assert _denied(session, signed_in.user.id) == [f"{method} {template}"]


@pytest.mark.parametrize(("method", "path", "template", "body"), API_ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in API_ROUTES])
def test_admin_api_is_401_for_anonymous(client, method, path, template, body):
    assert client.request(method, path, json=body).status_code == 401


@pytest.mark.parametrize("path", [p for m, p, _, _ in API_ROUTES if m == "GET"])
def test_admin_api_reads_are_open_to_admins(client, login_as, path):
    # the changes are tested one by one in test_users.py and tests/auth/test_throttle.py
    admin = login_as("admin", global_admin=True)
    response = client.get(path.replace("/users/1", f"/users/{admin.user.id}"),
                          headers=admin.headers)
    assert response.status_code == 200


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_admin_pages_are_403_for_other_roles_and_audited(client, session, role):
    user, _ = factories.make_user(session, role=role)
    session.commit()
    sign_in(client, user.username, factories.DEFAULT_PASSWORD)
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    token = _csrf_token(client)
    for path in PAGE_POSTS:
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path
    assert len(_denied(session, user.id)) == len(PAGES) + len(PAGE_POSTS)


def _csrf_token(client) -> str:
    return csrf_from(client.get("/account/password").text)


@pytest.mark.parametrize("path", PAGES)
def test_admin_pages_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
