from tests import factories
from tests.pages import csrf_from as _csrf
from tests.pages import sign_in as _sign_in


def test_sign_in_page_sets_httponly_samesite_session_cookie(client, session):
    factories.make_user(session, role="border_official", username="somchai")
    session.commit()
    response = _sign_in(client, "somchai", factories.DEFAULT_PASSWORD)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "passage_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = client.get("/")
    assert home.status_code == 200
    assert "Border official" in home.text


def test_sign_in_without_csrf_token_is_refused(client, session):
    factories.make_user(session, role="admin", username="nocsrf")
    session.commit()
    client.get("/login")
    response = client.post("/login", data={"username": "nocsrf",
                                           "password": factories.DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert "passage_session" not in response.headers.get("set-cookie", "")


def test_wrong_password_on_page_shows_the_same_message_as_unknown_user(client, session):
    factories.make_user(session, role="admin", username="pageuser")
    session.commit()
    wrong = _sign_in(client, "pageuser", "wrong password here")
    unknown = _sign_in(client, "nobody-at-all", "wrong password here")
    assert wrong.status_code == unknown.status_code == 401
    assert "Incorrect username or password." in wrong.text
    assert "Incorrect username or password." in unknown.text


def test_sign_out_ends_the_session_on_the_server(client, session):
    factories.make_user(session, role="coordinator", username="leaving")
    session.commit()
    _sign_in(client, "leaving", factories.DEFAULT_PASSWORD)
    old_cookie = client.cookies.get("passage_session")
    home = client.get("/")
    client.post("/logout", data={"csrf_token": _csrf(home.text)})
    client.cookies.set("passage_session", old_cookie)  # replaying the old cookie
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_pages_redirect_anonymous_users_to_sign_in(client):
    response = client.get("/compounds", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/compounds"


def test_open_redirect_after_sign_in_is_refused(client, session):
    factories.make_user(session, role="admin", username="redirect")
    session.commit()
    page = client.get("/login")
    response = client.post("/login", data={"username": "redirect",
                                           "password": factories.DEFAULT_PASSWORD,
                                           "csrf_token": _csrf(page.text),
                                           "next": "//evil.example/"},
                           follow_redirects=False)
    assert response.headers["location"] == "/"


def test_home_page_shows_each_role_only_what_it_may_do(client, session):
    for role, sees_compounds in [("admin", True), ("caseworker", True)]:
        factories.make_user(session, role=role, username=f"home-{role}")
        session.commit()
        _sign_in(client, f"home-{role}", factories.DEFAULT_PASSWORD)
        assert ('href="/compounds"' in client.get("/").text) == sees_compounds


def test_compound_form_adds_compound_for_coordinator_and_is_hidden_from_caseworker(client,
                                                                                  session):
    factories.make_user(session, role="caseworker", username="cw-form")
    factories.make_user(session, role="coordinator", username="co-form")
    session.commit()
    _sign_in(client, "cw-form", factories.DEFAULT_PASSWORD)
    page = client.get("/compounds")
    assert "Add compound" not in page.text
    forbidden = client.post("/compounds", data={"name": "X", "csrf_token": _csrf(page.text)})
    assert forbidden.status_code == 403
    _sign_in(client, "co-form", factories.DEFAULT_PASSWORD)
    page = client.get("/compounds")
    bad = client.post("/compounds", data={"name": "", "country_code": "MM",
                                          "csrf_token": _csrf(page.text)})
    assert bad.status_code == 422 and "has-error" in bad.text
    ok = client.post("/compounds", data={"name": "Dongmei Park", "country_code": "MM",
                                         "csrf_token": _csrf(page.text)})
    assert ok.status_code == 200 and "Dongmei Park" in ok.text
