"""Passage in every registered language (issue 16): the catalogues are complete and keep their
placeholders, every word of the templates goes through gettext and is in messages.pot, and
every page of every role renders in each registered locale with its `lang`."""

import re
from collections import deque
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select, update

from app import i18n, i18n_catalogue
from app.audit.models import AuditEvent
from app.config import PROJECT_ROOT
from tests import factories
from tests.asgi_client import InThreadTestClient
from tests.pages import csrf_from, sign_in
from tests.test_plain_words import SKIP_LINKS, read_page, world  # noqa: F401  (a fixture)

TEMPLATES = PROJECT_ROOT / "templates"
TAG = re.compile(r"<[^>]*>")
ENTITY = re.compile(r"&[#\w]+;")
WORDS_IN_ATTRIBUTE = re.compile(
    r'''\b(aria-label|title|placeholder|alt)="([^"{]*[A-Za-z][^"{]*)"''')


def _msgids(catalog) -> dict[str, list[str]]:
    return {i18n_catalogue.key(m): i18n_catalogue.placeholders(
        " ".join(m.id) if isinstance(m.id, list | tuple) else m.id) for m in catalog if m.id}


def test_messages_pot_holds_every_message_of_the_code_and_templates():
    extracted = _msgids(i18n_catalogue.extract())
    committed = _msgids(i18n_catalogue.read(i18n.TEMPLATE_FILE))
    missing = sorted(extracted.keys() - committed.keys())
    gone = sorted(committed.keys() - extracted.keys())
    assert not missing and not gone, (
        "app/locale/messages.pot is out of date: run `passage locales extract` (then "
        f"`passage locales update`).\nNot in the .pot: {missing[:20]}\nNo longer used: {gone[:20]}")
    changed = [msgid for msgid in extracted if extracted[msgid] != committed[msgid]]
    assert not changed


def test_every_registered_locale_translates_every_message_with_its_placeholders():
    problems = i18n_catalogue.check_all()
    assert not problems, "\n".join(str(p) for p in problems[:50]) + (
        f"\n... {len(problems)} problems" if len(problems) > 50 else "")


JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)


def _words_outside_gettext(source: str) -> list[tuple[int, str]]:
    """Text of a template that is shown but not translated: what is left of the template
    once its Jinja ({{ }}, {% %}, {# #}), tags (but for words in aria-label, title,
    placeholder and alt), entities, <script> and <style> are taken out."""
    source = re.sub(r"<(script|style)\b.*?</\1>", lambda m: "\n" * m.group(0).count("\n"),
                    source, flags=re.S)
    # each Jinja construct becomes a mark (its newlines kept, so that line numbers hold)
    source = JINJA.sub(lambda m: "\x00" + "\n" * m.group(0).count("\n"), source)
    # machine codes shown for reference (<td class="code">given_name</td>) stay as they are
    source = re.sub(r'<(\w+) class="code">[^<\x00]*</\1>', " ", source)
    found = []
    for match in WORDS_IN_ATTRIBUTE.finditer(source):
        found.append((source.count("\n", 0, match.start()) + 1, match.group(0)))
    text = TAG.sub(lambda m: "\x00" + "\n" * m.group(0).count("\n"), source)
    for lineno, line in enumerate(ENTITY.sub(" ", text).split("\n"), start=1):
        for piece in line.split("\x00"):
            # a tag cut by a {% if %} leaves attribute text behind (aria-invalid="true")
            piece = re.sub(r'[\w-]+="[^"]*"?', " ", piece)
            if re.search(r"[A-Za-z]{2}", piece) and not re.fullmatch(r"\s*/[\w/-]*\s*", piece):
                found.append((lineno, " ".join(piece.split())))
    return sorted(found)


def test_every_word_of_the_templates_goes_through_gettext():
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for lineno, text in _words_outside_gettext(path.read_text()):
            problems.append(f"{path.relative_to(PROJECT_ROOT)}:{lineno}: {text!r}")
    assert not problems, "wrap these in {{ _(\"...\") }}:\n" + "\n".join(problems)


def test_words_outside_gettext_are_found():
    # the check above finds what it should
    assert _words_outside_gettext('<p class="x">Hello {{ name }}</p>') == [(1, "Hello")]
    assert _words_outside_gettext('<p>{{ _("Hello") }}</p><input aria-label="Name">') == [
        (1, 'aria-label="Name"')]
    assert _words_outside_gettext("<td>{{ n }} · {{ m }}</td>") == []


# --- every page in every locale ---

ROLES = ("caseworker", "border_official", "coordinator", "admin")


def _html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    return match.group(1) if match else ""


def _walk_shapes(client) -> dict[str, str]:
    """One page of each shape of address reachable from the home page by links (as
    tests/test_plain_words.walk, which takes two of each), each checked to be in English."""
    found: dict[str, str] = {}
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        shape = re.sub(r"\d+", "N", urlsplit(path).path)
        if shape in found:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.headers.get(
                "content-type", ""):
            continue
        assert _html_lang(response.text) == "en", path
        found[shape] = path
        for link in read_page("http://testserver" + path, response.text).links:
            parts = urlsplit(link)
            if parts.netloc == "testserver" and not SKIP_LINKS.search(parts.path):
                queue.append(parts.path)
    return found


def _prefer(session, code: str) -> None:
    from app.auth.models import User

    session.exec(update(User).where(User.username.in_([f"plain-{r}" for r in ROLES]))
                 .values(preferred_language=code))
    session.commit()


def test_every_page_of_every_role_renders_in_each_registered_locale(app, session, world):  # noqa: F811
    """English: each role walks its pages (tests/test_plain_words.walk). Every other
    registered locale: each shape of address, as the first role that reached it, again in
    that locale, with its lang and no placeholder left unfilled."""
    clients: dict[str, TestClient] = {}
    shapes: dict[str, tuple[str, str]] = {}
    problems = []
    # a client per role, its requests in the test's thread (tests/asgi_client.py)
    with ExitStack() as open_clients:
        for role in ROLES:
            clients[role] = client = open_clients.enter_context(InThreadTestClient(app))
            sign_in(client, f"plain-{role}", factories.DEFAULT_PASSWORD)
            pages = _walk_shapes(client)
            assert len(pages) > 3, (role, pages)
            for shape, path in pages.items():  # each shape once, as the first role to reach it
                shapes.setdefault(shape, (role, path))
        for locale in i18n.available():
            if locale.code == i18n.SOURCE_LOCALE:
                continue
            _prefer(session, locale.code)
            for role, path in shapes.values():
                response = clients[role].get(path)
                if response.status_code != 200:
                    problems.append(f"{locale.code} {role} {path}: {response.status_code}")
                elif _html_lang(response.text) != locale.html_lang:
                    problems.append(f"{locale.code} {role} {path}: lang "
                                    f"{_html_lang(response.text)!r}")
                elif "%(" in response.text:
                    problems.append(f"{locale.code} {role} {path}: a placeholder left as it is")
        _prefer(session, i18n.SOURCE_LOCALE)
    assert not problems, "\n".join(problems)


def test_a_catalogue_is_compiled_in_memory_from_its_po(tmp_path: Path, monkeypatch):
    _drop_in_locale(tmp_path, monkeypatch, {"Sign in": "เข้าสู่ระบบ"})
    token = i18n.begin("th")
    try:
        assert i18n.gettext("Sign in") == "เข้าสู่ระบบ"
        assert i18n.gettext("Sign out") == "Sign out"  # not translated yet: English
    finally:
        i18n.end(token)
    assert not list(tmp_path.rglob("*.mo"))


def _drop_in_locale(tmp_path: Path, monkeypatch, messages: dict[str, str],
                    review: str = "drafted") -> i18n.Locale:
    """A Thai catalogue with `messages`, dropped into a copy of app/locale, and its line in
    the registry: what a translator adds."""
    locale_dir = tmp_path / "locale"
    (locale_dir / "th" / "LC_MESSAGES").mkdir(parents=True)
    (locale_dir / "messages.pot").write_bytes(i18n.TEMPLATE_FILE.read_bytes())
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for msgid, msgstr in messages.items():
        lines += [f'msgid "{msgid}"', f'msgstr "{msgstr}"', ""]
    (locale_dir / "th" / "LC_MESSAGES" / "messages.po").write_text("\n".join(lines))
    thai = i18n.Locale("th", "Thai", "ไทย", "th", review)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale_dir)
    monkeypatch.setattr(i18n, "TEMPLATE_FILE", locale_dir / "messages.pot")
    monkeypatch.setattr(i18n, "REGISTRY", (*i18n.REGISTRY, thai))
    i18n.translations.cache_clear()
    monkeypatch.setattr(i18n, "translations", i18n.translations)  # cleared again after
    return thai


@pytest.fixture(autouse=True)
def _fresh_catalogues():
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


def test_readme_table_of_locales_is_the_registry():
    readme = (PROJECT_ROOT / "README.md").read_text()
    start = readme.index("<!-- locales table")
    table = readme[readme.index("\n", start) + 1:readme.index("<!-- end of locales table")]
    assert table.strip() == i18n.readme_table(), (
        "README's table of locales is out of date: paste `passage locales table` into it")


# --- choosing a language: the switcher, the preference, Accept-Language ---

THAI = {"Sign in": "เข้าสู่ระบบ", "Sign out": "ออกจากระบบ", "Home": "หน้าหลัก",
        "Language": "ภาษา"}


@pytest.fixture
def thai(tmp_path, monkeypatch):
    return _drop_in_locale(tmp_path, monkeypatch, THAI)


def _switch(client, language: str, next_path: str = "/", **kwargs):
    page = client.get("/login")
    return client.post("/language", data={"language": language, "next": next_path,
                                          "csrf_token": csrf_from(page.text)},
                       follow_redirects=False, **kwargs)


def test_the_switcher_keeps_a_signed_in_users_language_and_audits_it(client, session, thai):
    user, password = factories.make_user(session, role="caseworker", username="switcher")
    session.commit()
    sign_in(client, "switcher", password)
    home = client.get("/")
    assert 'action="/language"' in home.text and _html_lang(home.text) == "en"
    response = client.post("/language", data={"language": "th", "next": "/cases?sort=ref",
                                              "csrf_token": csrf_from(home.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/cases?sort=ref"
    client.cookies.delete(i18n.LANGUAGE_COOKIE)  # the preference, not the cookie, holds it
    page = client.get("/")
    assert _html_lang(page.text) == "th" and "ออกจากระบบ" in page.text
    session.expire_all()
    assert session.get(type(user), user.id).preferred_language == "th"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.language")).one()
    assert event.entity_id == str(user.id) and event.detail == {"from": "en", "to": "th"}


def test_signed_out_pages_follow_the_switchers_cookie(client, thai):
    response = _switch(client, "th", "/login")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    page = client.get("/login")
    assert _html_lang(page.text) == "th" and "เข้าสู่ระบบ" in page.text


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/cases\r\nSet-Cookie: passage_session=x", "cases", "",
    "http:/evil.example",
])
def test_the_switcher_redirects_only_to_a_path_of_passage(client, thai, target):
    response = _switch(client, "th", target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "set-cookie: passage_session" not in str(response.headers).lower()


@pytest.mark.parametrize("language", ["xx", "", "th_TH", "../../etc/passwd", "EN"])
def test_an_unknown_language_is_refused_in_words(client, session, thai, language):
    response = _switch(client, language, "/")
    assert response.status_code == 422
    assert "Choose one of the languages offered" in response.text
    assert i18n.LANGUAGE_COOKIE not in response.headers.get("set-cookie", "")


def test_the_switcher_needs_the_forms_csrf_token(client, thai):
    client.get("/login")
    response = client.post("/language", data={"language": "th", "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 403
    assert i18n.LANGUAGE_COOKIE not in response.headers.get("set-cookie", "")


def test_a_language_cookie_not_offered_is_ignored(client, thai):
    client.cookies.set(i18n.LANGUAGE_COOKIE, "xx")
    assert _html_lang(client.get("/login").text) == "en"


@pytest.mark.parametrize(("header", "lang"), [
    ("th-TH,th;q=0.9,en;q=0.5", "th"), ("en-GB,th;q=0.8", "en"), ("fr-FR,de", "en"),
    ("th;q=0, en;q=0.5", "en"), ("fr, th;q=0.3", "th"), ("", "en"), ("*", "en"),
    ("x" * 5000, "en"),
])
def test_the_sign_in_page_follows_accept_language(client, thai, header, lang):
    page = client.get("/login", headers={"Accept-Language": header})
    assert page.status_code == 200 and _html_lang(page.text) == lang
    assert ("เข้าสู่ระบบ" in page.text) == (lang == "th")


def test_a_signed_in_users_preference_wins_over_the_browser(client, session, thai):
    factories.make_user(session, role="caseworker", username="prefers-english")
    session.commit()
    sign_in(client, "prefers-english", factories.DEFAULT_PASSWORD)
    page = client.get("/", headers={"Accept-Language": "th"})
    assert _html_lang(page.text) == "en"


def test_the_account_page_changes_the_language(client, session, thai):
    factories.make_user(session, role="border_official", username="account-language")
    session.commit()
    sign_in(client, "account-language", factories.DEFAULT_PASSWORD)
    page = client.get("/account/language")
    assert page.status_code == 200 and '<option value="th"' in page.text
    response = client.post("/language", data={
        "language": "th", "next": "/account/language?changed=true",
        "csrf_token": csrf_from(page.text)})
    assert response.status_code == 200 and _html_lang(response.text) == "th"
    assert 'href="/languages"' in response.text


def test_an_administrator_sets_a_new_users_language(client, session, login_as, thai):
    admin = login_as("admin", organization="Language Org")
    created = client.post("/api/v1/admin/users", headers=admin.headers, json={
        "username": "new-thai", "role": "border_official",
        "organization_id": admin.user.organization_id, "preferred_language": "th"})
    assert created.status_code == 201, created.text
    assert created.json()["preferred_language"] == "th"
    refused = client.post("/api/v1/admin/users", headers=admin.headers, json={
        "username": "new-klingon", "role": "border_official",
        "organization_id": admin.user.organization_id, "preferred_language": "tlh"})
    assert refused.status_code == 422
    assert "Choose one of the languages offered" in refused.text


def test_the_languages_page_lists_coverage_and_review(client, thai):
    page = client.get("/languages")
    assert page.status_code == 200
    assert "ไทย" in page.text and "Drafted, not yet reviewed" in page.text
    total = len(i18n.template_ids())
    assert f"{len(THAI)} of {total:,}" in page.text


def test_a_reviewed_po_is_dropped_in_without_code(tmp_path, monkeypatch):
    thai = _drop_in_locale(tmp_path, monkeypatch, {"Home": "หน้าหลัก"}, review="reviewed")
    assert i18n.coverage(thai).translated == 1
    assert "Reviewed by a native speaker" in i18n.readme_table()


@pytest.mark.parametrize(("code", "day", "number"), [
    ("en", "25 Oct 2025", "12,480"), ("th", "25 ต.ค. 2025", "12,480"),
    ("id", "25 Okt 2025", "12.480"), ("zh_Hans", "2025年10月25日", "12,480"),
])
def test_dates_and_numbers_are_written_for_the_locale(code, day, number):
    assert i18n.format_date(date(2025, 10, 25), code) == day
    assert i18n.format_number(12480, code) == number


def test_a_user_sets_their_own_language_through_the_api(client, session, login_as, thai):
    me = login_as("coordinator", organization="API Language Org")
    assert client.get("/api/v1/me", headers=me.headers).json()["preferred_language"] == "en"
    assert client.put("/api/v1/me/language", headers=me.headers,
                      json={"language": "th"}).status_code == 204
    assert client.get("/api/v1/me", headers=me.headers).json()["preferred_language"] == "th"
    refused = client.put("/api/v1/me/language", headers=me.headers, json={"language": "xx"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "language"]
    # machine codes stay as they are whatever the language: the API's fields and values
    assert client.get("/api/v1/me", headers=me.headers).json()["role"] == "coordinator"


@pytest.mark.skipif(not i18n.is_available("th"), reason="Thai is not registered")
def test_an_export_in_words_is_in_the_readers_language_and_codes_stay_codes(
        client, session, login_as):
    coordinator = login_as("coordinator", organization="Export Language Org")
    client.put("/api/v1/me/language", headers=coordinator.headers, json={"language": "th"})
    words = client.get("/api/v1/reports/statistics", headers=coordinator.headers)
    assert words.status_code == 200
    header = words.content.decode("utf-8-sig").splitlines()[0]
    assert i18n.gettext_in("th", "Nationality") in header
    assert i18n.gettext_in("th", "Nationality") != "Nationality"
    codes = client.get("/api/v1/reports/statistics", headers=coordinator.headers,
                       params={"labels": "codes"})
    assert codes.content.decode("utf-8-sig").splitlines()[0].startswith(
        "nationality_code,nationality")


@pytest.mark.parametrize(("header", "code"), [
    ("zh-TW", "en"), ("zh-Hant", "en"), ("zh-HK,zh;q=0.5", "zh_Hans"), ("zh-Hant-TW", "en"),
    ("zh_TW", "en"), ("zh-MO, th;q=0.5", "th"), ("zh-CN", "zh_Hans"), ("zh", "zh_Hans"),
    ("zh-Hans-CN", "zh_Hans"),
])
def test_traditional_chinese_is_not_answered_with_the_simplified_catalogue(header, code):
    """With no Traditional catalogue, zh-Hant/zh-TW/zh-HK/zh-MO get the browser's next
    choice, else English; a browser that also accepts plain zh gets Simplified from that."""
    assert i18n.negotiate(header) == code


# A message a translator cannot translate right: a word that only joins others ("by", "from")
# or a piece that starts or ends with a space, glued to English around it. Whole sentences
# with named placeholders instead (ngettext where a count decides the form).
JOINING_WORDS = {"by", "on", "from", "to", "at", "for", "of", "in", "or", "and", "since",
                 "with", "month", "period", "person has", "people have", "person awaits",
                 "people await", "(sorted"}
# pieces still glued with a space, each to become a whole message (none may be added)
KNOWN_PIECES = {
    " (every combination of nationality, suggestion, determination and sex)",
    " (optional)", " (trafficking_victim, female, total)", " current",
    "'%(stage)s' needs: ", "A closed case needs its reason, one of: ", "Cannot join this batch: ",
    "Choose why the case is closed: ", "Every member must be at '%(stage)s' first: ",
    "Not a value of the HTCDS gender picklist: ", "Not a value of the HTCDS picklist: ",
    "Note on ", "Outcome must be one of ", "Role must be one of ",
    "keys must be dimension codes: ", "status: a %(value)s referral cannot become %(value2)s; ",
}


def test_no_message_is_a_joining_word_or_a_piece_glued_with_a_space():
    template = i18n_catalogue.read(i18n.TEMPLATE_FILE)
    joining, pieces = [], []
    for message in template:
        if not message.id:
            continue
        for text in (message.id if isinstance(message.id, list | tuple) else (message.id,)):
            if text.strip() in JOINING_WORDS:  # "By", "From" alone are column headings
                joining.append(text)
            elif text != text.strip() and text not in KNOWN_PIECES:
                pieces.append(text)
    assert joining == [] and pieces == []
