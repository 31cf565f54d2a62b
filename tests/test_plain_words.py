"""Plain words on every form: each role's pages are walked from the home page, every form found
on them is sent empty, malformed and too long, and no page that comes back may show the
framework's words (pydantic's or a regular expression's) or a field's code name, or fail."""

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests import factories
from tests.pages import sign_in

FRAMEWORK_PHRASES = (
    "Input should be", "String should", "Field required", "should match pattern",
    "valid integer", "valid date", "valid datetime", "valid time", "valid number",
    "valid boolean", "Value error", "value_error", "type_error", "validation error",
    "List should", "Value should", "Decimal input", "Date should", "Datetime should",
    "Extra inputs are not permitted", "Assertion failed", "unable to parse", "Unable to parse",
    "Invalid date", "json_invalid", "less than or equal to", "greater than or equal to",
    "should have at least", "should have at most", "Expected ", "enum", "literal_error",
)
# a field's code name as a label: "consent_given:", "referrals-to:", "from:"
CODE_NAME = re.compile(r"(?<![\w-])([a-z][a-z0-9]*(?:[_-][a-z0-9]+)+|[a-z][a-z0-9_]*_)\s?:")

SKIP_LINKS = re.compile(r"^/(api|static|docs|redoc|openapi|healthz|logout)|\.(csv|xlsx|pdf|json|"
                        r"txt|svg)(\?|$)|/(letter|download)")
SKIP_ACTIONS = re.compile(r"^/(logout|login$)")
MAX_PAGES = 80


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[dict] = field(default_factory=list)

    def key(self) -> tuple:
        return (self.method, re.sub(r"\d+", "N", self.action),
                tuple(sorted({f["name"] for f in self.fields})))


class _PageReader(HTMLParser):
    """The links and forms of a page, and its visible text."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.text: list[str] = []
        self._skip = 0
        self._form: Form | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style", "template"):
            self._skip += 1
        elif tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            self._form = Form(self.url, urljoin(self.url, a.get("action") or self.url),
                              (a.get("method") or "get").lower())
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            self._form.fields.append({"name": a["name"], "type": kind,
                                      "value": a.get("value", ""),
                                      "checked": "checked" in a})
        elif self._form is not None and tag == "button" and a.get("name"):
            self._form.fields.append({"name": a["name"], "type": "button",
                                      "value": a.get("value", "")})
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "type": "select", "value": "", "options": []}
            self._form.fields.append(self._select)
        elif self._select is not None and tag == "option":
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["value"] = a.get("value", "")
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "type": "textarea", "value": ""}
            self._form.fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def read_page(url: str, html: str) -> _PageReader:
    reader = _PageReader(url)
    reader.feed(html)
    return reader


def visible_text(url: str, html: str) -> str:
    return " ".join(" ".join(read_page(url, html).text).split())


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def walk(client) -> tuple[list[str], list[Form]]:
    """Every page reachable from the home page by links (two of each shape of address: a new
    case and one further on, say) and the forms on them (one of each shape)."""
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    pages: list[str] = []
    forms: dict[tuple, Form] = {}
    queue = deque(["/"])
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        shape = re.sub(r"\d+", "N", urlsplit(path).path)
        if path in seen or shapes.get(shape, 0) >= 2:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.headers.get(
                "content-type", ""):
            continue
        pages.append(path)
        reader = read_page("http://testserver" + path, response.text)
        for form in reader.forms:
            forms.setdefault(form.key(), form)
        for link in reader.links:
            parts = urlsplit(link)
            if parts.netloc != "testserver" or SKIP_LINKS.search(parts.path):
                continue
            queue.append(parts.path)  # the page itself: its sort and page links are alike
    return pages, list(forms.values())


MALFORMED = {"date": "2025-13-45", "time": "25:99", "datetime-local": "yesterday",
             "number": "many", "email": "not an address", "tel": "call me!", "url": "nowhere",
             "month": "Smarch", "text": "bad value! <>", "search": "bad value! <>",
             "password": "x", "textarea": "bad value! <>"}


def filled(form: Form, how: str) -> list[tuple[str, str]]:
    """The form's fields as sent: `empty` (every field blank), `malformed` (a value of the
    wrong shape in each, a choice not offered), `long` (far too long text)."""
    data: list[tuple[str, str]] = []
    for f in form.fields:
        kind, name = f["type"], f["name"]
        if kind == "hidden" or name == "csrf_token":
            data.append((name, f["value"]))
        elif kind == "button":
            data.append((name, f["value"]))
        elif how == "empty":
            if kind not in ("checkbox", "radio"):
                data.append((name, ""))
        elif how == "malformed":
            if kind in ("select", "checkbox", "radio"):
                data.append((name, "zz-not-offered"))
            elif kind == "file":
                continue
            else:
                data.append((name, MALFORMED.get(kind, "bad value! <>")))
        else:  # long
            if kind in ("checkbox", "radio"):
                if f.get("checked") or not any(d[0] == name for d in data):
                    data.append((name, f["value"]))
            elif kind == "select":
                offered = [o for o in f.get("options", []) if o]
                data.append((name, f["value"] or (offered[0] if offered else "")))
            elif kind != "file":
                data.append((name, "x" * 5000))
    return data


def problems_in(page: str, form: Form, how: str, status: int, html: str) -> list[str]:
    where = f"{form.method.upper()} {path_of(form.action)} ({how}, form on {page}) -> {status}"
    if status >= 500:
        return [f"{where}: server error"]
    text = visible_text(form.action, html)
    found = [f"{where}: {phrase!r} in {text[max(0, text.find(phrase) - 60):][:160]!r}"
             for phrase in FRAMEWORK_PHRASES if phrase in text]
    names = {f["name"] for f in form.fields} | {"form"}
    for match in CODE_NAME.finditer(text):
        if match.group(1) in names or "_" in match.group(1):
            context = text[max(0, match.start() - 60):match.end() + 60]
            found.append(f"{where}: field code {match.group(0)!r} in {context!r}")
    return found


def submit(client, form: Form, how: str):
    data = filled(form, how)
    if form.method == "get":
        return client.get(path_of(form.action), params=data)
    files = None
    if any(f["type"] == "file" for f in form.fields) and how == "malformed":
        files = {f["name"]: ("roster.csv", b"not,a\nroster", "text/csv")
                 for f in form.fields if f["type"] == "file"}
    fields: dict[str, list[str]] = {}
    for name, value in data:
        fields.setdefault(name, []).append(value)
    return client.post(path_of(form.action), data=fields, files=files)


@pytest.fixture
def world(session):
    """One organisation's people and cases at each stage, and users of every role."""
    org = factories.make_organization(session, name="Plain Words Care")
    users = {role: factories.make_user(session, role=role, organization=org,
                                       username=f"plain-{role}")[0]
             for role in ("caseworker", "border_official", "coordinator", "admin")}
    caseworker = users["caseworker"]
    compound = factories.make_compound(session, name="Plain Words Park")
    person = factories.make_person(session, organization=org, given_name="Mya",
                                   family_name="Thandar", nationality_code="MM")
    factories.make_crossing(session, person=person, compound_id=compound.id)
    case = factories.make_case(session, person=person, organization=org, assigned_to=caseworker)
    screening = factories.make_screening(session, case=case, answers={"DR1": "yes"},
                                         created_by=caseworker)
    factories.make_determination(session, case=case, outcome="trafficking_victim",
                                 decided_by=caseworker, screening=screening)
    factories.make_referral(session, case=case, created_by=caseworker)
    factories.make_follow_up(session, case=case, due_on=date(2025, 11, 1))
    factories.make_detention(session, case=case, recorded_by=caseworker)
    other = factories.make_person(session, organization=org, given_name="Rahul",
                                  family_name="Verma")
    factories.make_case(session, person=other, organization=org, assigned_to=caseworker)
    session.commit()
    return users


@pytest.mark.parametrize("role", ["anonymous", "caseworker", "border_official", "coordinator",
                                  "admin"])
def test_every_form_answers_bad_input_in_plain_words(client, session, world, role):
    if role == "anonymous":
        forms = walk_login(client)
    else:
        sign_in(client, f"plain-{role}", factories.DEFAULT_PASSWORD)
        pages, forms = walk(client)
        forms = [f for f in forms if not SKIP_ACTIONS.search(urlsplit(f.action).path)]
        assert len(pages) > 3, pages
    assert forms
    problems: list[str] = []
    for form in forms:
        if not any(f["type"] not in ("hidden", "button") for f in form.fields):
            continue  # a button alone: there is nothing to get wrong
        for how in ("empty", "malformed", "long"):
            response = submit(client, form, how)
            problems += problems_in(form.page, form, how, response.status_code, response.text)
            if role != "anonymous" and response.status_code == 401:
                problems.append(f"{form.action}: signed out by a bad form")
    assert not problems, "\n".join(problems)


def walk_login(client) -> list[Form]:
    response = client.get("/login")
    return read_page("http://testserver/login", response.text).forms
