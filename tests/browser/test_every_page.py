"""Every page each role reaches, in the browser: at 390 px (a phone) none scrolls sideways
(tables scroll inside their own box), and axe-core finds no WCAG 2.1 A or AA violation on the
pages people use most, at 1280 and at 390 px. One served world for the module; each role's
walk, and each (language, role) and (width, role) check, is a test of its own, so that test
processes share them out."""

import re
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.clock import local_today
from app.db import make_engine
from app.screening.catalogue import INDICATORS_BY_CODE
from tests import factories
from tests.live import serve_in_thread, stop_server

pytestmark = pytest.mark.browser

ROLES = ("caseworker", "border_official", "coordinator", "admin")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SKIP = re.compile(r"^/(api|static|docs|redoc|openapi|healthz|logout)|\.(csv|xlsx|pdf|json|txt|"
                  r"svg)$|/(letter|download)")
WCAG_A_AA = {"runOnly": {"type": "tag",
                         "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# and headings in order with one h1 (axe's best practices, not WCAG's letter): a rule named
# in "rules" runs whatever its tags. Only the violations are read.
AXE_OPTIONS = {
    **WCAG_A_AA,
    "rules": {rule: {"enabled": True}
              for rule in ("heading-order", "page-has-heading-one", "empty-heading")},
    "resultTypes": ["violations"],
}


def _world(database_url: str) -> dict[str, int]:
    """One organisation's users of every role, people and cases at each stage, written
    straight into the served database; long names and texts, as people have them."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            org = factories.make_organization(session, name="Border Care Foundation")
            users = {role: factories.make_user(session, role=role, organization=org,
                                               username=f"every-{role}")[0] for role in ROLES}
            caseworker = users["caseworker"]
            compound = factories.make_compound(session, name="Shwe Kokko Yatai New City")
            person = factories.make_person(
                session, organization=org, given_name="Thandar Aye Myint Myat Noe",
                family_name="Oo", nationality_code="MM", document_number="MB1234567")
            factories.make_crossing(session, person=person, compound_id=compound.id)
            case = factories.make_case(session, person=person, organization=org,
                                       assigned_to=caseworker)
            answers = dict.fromkeys(INDICATORS_BY_CODE, "no") | {
                "DR1": "yes", "DR2": "yes", "EX1": "yes", "CD1": "yes", "CD3": "unknown"}
            screening = factories.make_screening(session, case=case, answers=answers,
                                                 created_by=caseworker)
            factories.make_determination(session, case=case, outcome="trafficking_victim",
                                         decided_by=caseworker, screening=screening,
                                         rationale="As she tells it, and the documents.")
            factories.make_referral(session, case=case, created_by=caseworker,
                                    recipient="Mae Sot Safe House and Family Support Centre",
                                    notes="Needs a female interpreter.")
            factories.make_follow_up(session, case=case, title="Call the embassy about the "
                                     "passport", due_on=local_today() - timedelta(days=2))
            new = factories.make_person(session, organization=org, given_name="王小明",
                                        family_name="", nationality_code="CN")
            new_case = factories.make_case(session, person=new, organization=org,
                                           assigned_to=caseworker)
            session.commit()
            return {"case": case.id, "new_case": new_case.id, "person": person.id}
    finally:
        engine.dispose()


def _sign_in(page, base_url: str, role: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username").fill(f"every-{role}")
    page.get_by_label("Password").fill(factories.DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def _sideways(page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: it does not)."""
    return page.evaluate("document.documentElement.scrollWidth - "
                         "document.documentElement.clientWidth")


# Every filter form (a grid, .filters, or a wrapping bar, .filter-bar): its fields laid out in
# rows; on each row the labels' top edges and the controls' top edges must be the same (a
# label that wraps or a hint above one control throws its row out of line; a date box is not
# as tall as a list unless told).
MISALIGNED = """() => {
  const problems = [];
  for (const form of document.querySelectorAll('form.filters, form.filter-bar')) {
    // (a tick box with its label beside it is not a labelled box: it sits on the row's foot)
    const fields = [...form.children].filter(el => el.offsetParent !== null &&
      !el.classList.contains('check') &&
      el.querySelector('input:not([type=hidden]), select, textarea'));
    const boxes = fields.map(el => {
      const control = el.querySelector('input:not([type=hidden]), select, textarea');
      const label = el.querySelector('label');
      const box = el.getBoundingClientRect();
      return {name: control.name, top: box.top, bottom: box.bottom,
              control: control.getBoundingClientRect().top,
              label: label ? label.getBoundingClientRect().top : null};
    });
    const rows = [];
    for (const b of boxes.sort((x, y) => x.control - y.control)) {
      const row = rows.find(r => r.some(o => b.top < o.bottom - 1 && o.top < b.bottom - 1));
      if (row) row.push(b); else rows.push([b]);
    }
    for (const row of rows) {
      for (const key of ['control', 'label']) {
        const tops = row.map(b => b[key]).filter(t => t !== null);
        if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > 1)
          problems.push(`${form.getAttribute('action')}: ${key}s of ` +
                        row.map(b => `${b.name}@${Math.round(b[key])}`).join(', '));
      }
    }
  }
  return problems;
}"""


def _misaligned(page) -> list[str]:
    """The rows of filter fields whose labels or controls do not share their top edge."""
    return page.evaluate(MISALIGNED)


def _walk(page, base_url: str, measure=_sideways, per_shape: int = 2) -> list[tuple[str, object]]:
    """Each page reachable by links from the home page (`per_shape` of each shape of address),
    with `measure` of it (by default how far it scrolls sideways)."""
    shapes: dict[str, int] = {}
    seen: set[str] = set()
    measured = []
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        shape = re.sub(r"\d+", "N", path)
        if path in seen or shapes.get(shape, 0) >= per_shape:
            continue
        seen.add(path)
        response = page.goto(base_url + path)
        if response is None or response.status != 200 or "text/html" not in (
                response.headers.get("content-type", "")):
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        measured.append((path, measure(page)))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            parts = urlsplit(href)
            if parts.netloc == urlsplit(base_url).netloc and not SKIP.search(parts.path):
                queue.append(parts.path)
    return measured


def _filter_forms(page) -> tuple[int, list[str]]:
    """(how many filter forms the page has, the rows of their fields out of line)."""
    return page.locator("form.filters, form.filter-bar").count(), _misaligned(page)


class Served:
    """The app served on one database with the world, for the whole module: its tests read
    it (what they change, a user's language, they put back). Each role signs in once; its
    browser contexts start from that sign-in's cookies."""

    def __init__(self, browser, base_url: str, database_url: str, ids: dict[str, int]):
        self.browser = browser
        self.base_url = base_url
        self.database_url = database_url
        self.ids = ids
        self._signed_in: dict[str, dict] = {}
        self._walks: dict[str, list] = {}

    @contextmanager
    def page(self, role: str | None, viewport: dict[str, int]) -> Iterator[object]:
        """A page in a new context of its own, signed in as `role` (None: signed out)."""
        state = None if role is None else self._storage_state(role)
        context = self.browser.new_context(viewport=viewport, locale="en-GB",
                                           storage_state=state)
        try:
            yield context.new_page()
        finally:
            context.close()

    def _storage_state(self, role: str) -> dict:
        if role not in self._signed_in:
            with self.page(None, PHONE) as page:
                _sign_in(page, self.base_url, role)
                self._signed_in[role] = page.context.storage_state()
        return self._signed_in[role]

    def walk(self, role: str) -> list[tuple[str, tuple]]:
        """The role's walk at 390 px, each page measured for the tests that look at the same
        pages: how far it scrolls sideways and its filter forms' rows, and its filter forms'
        rows again at 1280 px (the same page, the window widened: no script of Passage's
        lays a page out, its stylesheet alone does). Walked once per role."""
        if role not in self._walks:
            with self.page(role, PHONE) as page:
                self._walks[role] = _walk(page, self.base_url, _on_a_phone_then_desktop)
        return self._walks[role]


def _on_a_phone_then_desktop(page) -> tuple[int, tuple[int, list[str]], tuple[int, list[str]]]:
    phone = _sideways(page), _filter_forms(page)
    page.set_viewport_size(DESKTOP)
    desktop = _filter_forms(page)
    page.set_viewport_size(PHONE)
    return *phone, desktop


@pytest.fixture(scope="module")
def served(browser, tmp_path_factory) -> Iterator[Served]:
    from tests.conftest import _create_database, _drop_database

    url = _create_database(tmp_path_factory.mktemp("every-page"))
    server = serve_in_thread(url)
    try:
        yield Served(browser, server.base_url, url, _world(url))
    finally:
        stop_server(server)
        _drop_database(url)


def test_the_sign_in_page_does_not_scroll_sideways_on_a_phone(served):
    with served.page(None, PHONE) as page:
        page.goto(served.base_url + "/login")
        assert _sideways(page) <= 0, f"/login: {_sideways(page)} px wider than a 390 px phone"


# how many pages each role's walk must reach, at the least
REACHES = {"caseworker": 10, "admin": 5}


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(served, role):
    measured = served.walk(role)
    reached = [path for path, _ in measured]
    assert len(reached) > REACHES.get(role, 0), reached
    too_wide = [f"{role} {path}: {extra} px" for path, (extra, _, _) in measured if extra > 0]
    assert not too_wide, "pages wider than a 390 px phone:\n" + "\n".join(too_wide)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_filter_fields_line_up(served, viewport):
    """On every page each role reaches (the walk of the sideways test), each filter form's
    fields share their rows' top edges: labels with labels, boxes with boxes."""
    crooked, forms = [], 0
    for role in ROLES:
        for path, (_, on_phone, on_desktop) in served.walk(role):
            n, problems = on_phone if viewport == PHONE else on_desktop
            forms += n
            crooked += [f"{role} {path}: {problem}" for problem in problems]
    assert forms >= 10  # the walk met the filter forms (cases, referrals, stats, audit...)
    assert not crooked, "filter fields out of line:\n" + "\n".join(crooked)


# The scripts whose words run longest or stack highest, for the phone check in the reader's
# language (Thai and Burmese write without spaces between words, Devanagari stacks marks)
WIDE_SCRIPTS = ("th", "my", "hi")


def _lang_and_sideways(page) -> tuple[str, int]:
    return page.evaluate("document.documentElement.lang"), _sideways(page)


@contextmanager
def _language_of(served: Served, role: str, code: str) -> Iterator[None]:
    """The role's user reads Passage in `code` for a while (then in English again)."""
    from app.db import make_engine

    engine = make_engine(served.database_url)
    try:
        for language in (code, "en"):
            with engine.begin() as connection:
                connection.execute(text("UPDATE users SET preferred_language = :code "
                                        "WHERE username = :username"),
                                   {"code": language, "username": f"every-{role}"})
            if language == code:
                yield
    finally:
        engine.dispose()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("locale", WIDE_SCRIPTS)
def test_no_page_scrolls_sideways_on_a_phone_in_thai_burmese_or_hindi(served, locale, role):
    """Every shape of page the role reaches, at 390 px, with the user's language set to Thai,
    Burmese or Hindi: none scrolls sideways, and each says its language in <html lang>."""
    with _language_of(served, role, locale), served.page(role, PHONE) as page:
        measured = _walk(page, served.base_url, _lang_and_sideways, per_shape=1)
    assert len(measured) > 5, measured
    wrong_lang = [f"{locale} {role} {path}: lang={lang!r}"
                  for path, (lang, _) in measured if lang != locale]
    too_wide = [f"{locale} {role} {path}: {extra} px"
                for path, (_, extra) in measured if extra > 0]
    assert not wrong_lang, "pages not in the reader's language:\n" + "\n".join(wrong_lang)
    assert not too_wide, "pages wider than a 390 px phone:\n" + "\n".join(too_wide)


# (role, page) of the pages people use most; {case} and {new_case} from the world
AXE_PAGES = [
    (None, "/login"),
    ("caseworker", "/"),
    ("caseworker", "/people?name=Thandar"),
    ("caseworker", "/people/new"),
    ("caseworker", "/cases"),
    ("caseworker", "/cases/{case}"),
    ("caseworker", "/cases/{new_case}"),
    ("caseworker", "/cases/{new_case}/interview"),
    ("caseworker", "/cases/{new_case}/interview?language=en"),
    ("coordinator", "/referrals"),
    ("coordinator", "/stats/nationalities"),
    ("coordinator", "/exports"),
    ("admin", "/admin/audit"),
]


@pytest.mark.parametrize("role", [None, "caseworker", "coordinator", "admin"],
                         ids=["anonymous", "caseworker", "coordinator", "admin"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_axe_finds_no_wcag_a_or_aa_violation(served, viewport, role):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = []
    with served.page(role, viewport) as page:
        for page_role, path in AXE_PAGES:
            if page_role != role:
                continue
            response = page.goto(served.base_url + path.format(**served.ids))
            assert response.status == 200, path
            results = axe.run(page, options=AXE_OPTIONS)
            for violation in results.response["violations"]:
                targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
                found.append(f"{role or 'anonymous'} {path}: {violation['id']} "
                             f"({violation['impact']}) {violation['help']}: {targets}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_referral_board_fits_without_scrolling(served, viewport):
    """Every column of the board, its moves too, is in view: at 1280 px as a table, on a phone
    as one card per referral; neither the page nor the table scrolls sideways."""
    with served.page("coordinator", viewport) as page:
        page.goto(served.base_url + "/referrals")
        wrap = page.locator(".table-wrap:has(table.board)")
        assert wrap.evaluate("w => w.scrollWidth - w.clientWidth") <= 0
        assert _sideways(page) <= 0
        move = page.get_by_role("button", name=re.compile(r"^Mark accepted"))
        assert move.is_visible()
        box, view = move.bounding_box(), page.viewport_size
        assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"]


def test_nationality_chart_is_readable_on_a_phone(served):
    """At 390 px the chart's words are text of the page's own size, each label above its bar;
    at 1280 px the SVG chart."""
    sizes = {}
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        with served.page("coordinator", viewport) as page:
            page.goto(served.base_url + "/stats/nationalities")
            sizes[name] = (page.locator("figure.chart").is_visible(),
                           page.locator("figure.bar-list").is_visible())
            if name == "phone":
                label = page.locator(".bar-list-label").first
                assert label.inner_text() == "Myanmar"
                assert float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 14
                assert _sideways(page) <= 0
    assert sizes == {"phone": (False, True), "desktop": (True, False)}
