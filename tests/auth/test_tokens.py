from sqlmodel import select

from app.audit.models import AuditEvent
from tests import factories


def test_token_then_me_returns_username_role_and_organization(client, session):
    org = factories.make_organization(session, name="Border Care Foundation")
    user, password = factories.make_user(session, role="caseworker", organization=org,
                                         username="naw")
    session.commit()
    response = client.post("/api/v1/auth/token", data={"username": "naw", "password": password})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "naw"
    assert me.json()["role"] == "caseworker"
    assert me.json()["organization"] == "Border Care Foundation"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, session):
    factories.make_user(session, role="coordinator", username="maria")
    session.commit()
    wrong = client.post("/api/v1/auth/token",
                        data={"username": "maria", "password": "not the password!"})
    unknown = client.post("/api/v1/auth/token",
                          data={"username": "nobody-here", "password": "not the password!"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_failed_sign_in_is_audited_without_the_attempted_password(client, session):
    user, _ = factories.make_user(session, role="coordinator", username="auditme")
    session.commit()
    client.post("/api/v1/auth/token", data={"username": "auditme", "password": "guess-1234567"})
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in",
                                                   AuditEvent.actor_id == user.id)).all()
    assert [e.outcome for e in events] == ["failure"]
    assert "guess-1234567" not in str(events[0].detail)


def test_me_without_token_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_me_with_a_forged_token_is_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401


def test_short_password_is_refused_naming_the_field(session):
    import pytest

    from app.audit.service import Actor
    from app.auth.service import create_user
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        create_user(session, actor=Actor.system("test"), username="shorty", role="admin",
                    password="short-pass", organization=factories.make_organization(session))
    assert caught.value.errors[0]["loc"][-1] == "password"


def test_disabled_user_cannot_sign_in(client, session):
    user, password = factories.make_user(session, role="admin", username="gone")
    user.is_active = False
    session.add(user)
    session.commit()
    response = client.post("/api/v1/auth/token", data={"username": "gone", "password": password})
    assert response.status_code == 401
