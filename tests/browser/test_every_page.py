"""Every page each role reaches, in the browser: at 390 px (a phone) none scrolls sideways
(tables scroll inside their own box), and axe-core finds no WCAG 2.1 A or AA violation on the
pages people use most, at 1280 and at 390 px."""

import re
from collections import deque
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
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
HEADINGS = {"runOnly": {"type": "rule", "values": ["heading-order", "page-has-heading-one",
                                                  "empty-heading"]}}
WCAG_A_AA = {"runOnly": {"type": "tag",
                         "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


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


def _on_a_phone(page) -> tuple[int, tuple[int, list[str]]]:
    return _sideways(page), _filter_forms(page)


@pytest.fixture(scope="module")
def phone_walks(browser, tmp_path_factory) -> Iterator[dict]:
    """Each role's walk at 390 px (and the sign-in page, signed out), each page measured for
    the tests that look at the same pages on a phone: how far it scrolls sideways, and its
    filter forms' rows. One served database with the world, walked once for both."""
    from tests.conftest import _create_database, _drop_database

    url = _create_database(tmp_path_factory.mktemp("phone-walk"))
    server = serve_in_thread(url)
    try:
        _world(url)
        walks = {}
        for role in (None, *ROLES):
            context = browser.new_context(viewport=PHONE, locale="en-GB")
            page = context.new_page()
            try:
                if role is None:
                    page.goto(server.base_url + "/login")
                    walks["anonymous"] = [("/login", _on_a_phone(page))]
                else:
                    _sign_in(page, server.base_url, role)
                    walks[role] = _walk(page, server.base_url, _on_a_phone)
            finally:
                context.close()
        yield walks
    finally:
        stop_server(server)
        _drop_database(url)


def test_no_page_scrolls_sideways_on_a_phone(phone_walks):
    too_wide = []
    reached = {}
    for role, measured in phone_walks.items():
        reached[role] = [path for path, _ in measured]
        too_wide += [f"{role} {path}: {extra} px" for path, (extra, _) in measured
                     if extra > 0]
    assert len(reached["caseworker"]) > 10 and len(reached["admin"]) > 5, reached
    assert not too_wide, "pages wider than a 390 px phone:\n" + "\n".join(too_wide)


# The scripts whose words run longest or stack highest, for the phone check in the reader's
# language (Thai and Burmese write without spaces between words, Devanagari stacks marks)
WIDE_SCRIPTS = ("th", "my", "hi")


def _lang_and_sideways(page) -> tuple[str, int]:
    return page.evaluate("document.documentElement.lang"), _sideways(page)


def test_no_page_scrolls_sideways_on_a_phone_in_thai_burmese_or_hindi(browser, tmp_path_factory):
    """Every shape of page each role reaches, at 390 px, with every user's language set to
    Thai, then Burmese, then Hindi (one served world; the sign-in page follows the browser,
    English): none scrolls sideways, and each signed-in page says its language in <html lang>."""
    from sqlalchemy import text

    from tests.conftest import _create_database, _drop_database

    url = _create_database(tmp_path_factory.mktemp("phone-walk-scripts"))
    server = serve_in_thread(url)
    engine = make_engine(url)
    too_wide, wrong_lang, reached = [], [], {}
    try:
        _world(url)
        for locale in WIDE_SCRIPTS:
            with engine.begin() as connection:
                connection.execute(text("UPDATE users SET preferred_language = :code"),
                                   {"code": locale})
            for role in ROLES:
                context = browser.new_context(viewport=PHONE, locale="en-GB")
                page = context.new_page()
                try:
                    _sign_in(page, server.base_url, role)
                    measured = _walk(page, server.base_url, _lang_and_sideways, per_shape=1)
                finally:
                    context.close()
                reached[(locale, role)] = len(measured)
                too_wide += [f"{locale} {role} {path}: {extra} px"
                             for path, (_, extra) in measured if extra > 0]
                wrong_lang += [f"{locale} {role} {path}: lang={lang!r}"
                               for path, (lang, _) in measured if lang != locale]
    finally:
        engine.dispose()
        stop_server(server)
        _drop_database(url)
    assert all(n > 5 for n in reached.values()), reached
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


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_filter_fields_line_up(request, browser, viewport):
    """On every page each role reaches (the same walk), each filter form's fields share their
    rows' top edges: labels with labels, boxes with boxes. On a phone, read from the walk the
    sideways test made (`phone_walks`)."""
    walks = {}
    if viewport == PHONE:
        phone = request.getfixturevalue("phone_walks")
        walks = {role: [(path, forms) for path, (_, forms) in phone[role]] for role in ROLES}
    else:
        live_server = request.getfixturevalue("live_server")
        _world(live_server.database_url)
        for role in ROLES:
            context = browser.new_context(viewport=viewport, locale="en-GB")
            page = context.new_page()
            try:
                _sign_in(page, live_server.base_url, role)
                walks[role] = _walk(page, live_server.base_url, _filter_forms)
            finally:
                context.close()
    crooked, forms = [], 0
    for role, measured in walks.items():
        forms += sum(n for _, (n, _) in measured)
        crooked += [f"{role} {path}: {problem}" for path, (_, problems) in measured
                    for problem in problems]
    assert forms >= 10  # the walk met the filter forms (cases, referrals, stats, audit...)
    assert not crooked, "filter fields out of line:\n" + "\n".join(crooked)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_axe_finds_no_wcag_a_or_aa_violation(live_server, browser, viewport):
    from axe_playwright_python.sync_playwright import Axe

    ids = _world(live_server.database_url)
    axe = Axe()
    found = []
    for role in (None, "caseworker", "coordinator", "admin"):
        context = browser.new_context(viewport=viewport, locale="en-GB")
        page = context.new_page()
        try:
            if role is not None:
                _sign_in(page, live_server.base_url, role)
            for page_role, path in AXE_PAGES:
                if page_role != role:
                    continue
                response = page.goto(live_server.base_url + path.format(**ids))
                assert response.status == 200, path
                results = axe.run(page, options=WCAG_A_AA)
                # and headings in order, one h1 (axe's best practices, not WCAG's letter)
                headings = axe.run(page, options=HEADINGS)
                for violation in (results.response["violations"]
                                  + headings.response["violations"]):
                    targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
                    found.append(f"{role or 'anonymous'} {path}: {violation['id']} "
                                 f"({violation['impact']}) {violation['help']}: {targets}")
        finally:
            context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_referral_board_fits_without_scrolling(live_server, browser, viewport):
    """Every column of the board, its moves too, is in view: at 1280 px as a table, on a phone
    as one card per referral; neither the page nor the table scrolls sideways."""
    _world(live_server.database_url)
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    try:
        _sign_in(page, live_server.base_url, "coordinator")
        page.goto(live_server.base_url + "/referrals")
        wrap = page.locator(".table-wrap:has(table.board)")
        assert wrap.evaluate("w => w.scrollWidth - w.clientWidth") <= 0
        assert _sideways(page) <= 0
        move = page.get_by_role("button", name=re.compile(r"^Mark accepted"))
        assert move.is_visible()
        box, view = move.bounding_box(), page.viewport_size
        assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"]
    finally:
        context.close()


def test_nationality_chart_is_readable_on_a_phone(live_server, browser):
    """At 390 px the chart's words are text of the page's own size, each label above its bar;
    at 1280 px the SVG chart."""
    world = _world(live_server.database_url)
    assert world
    sizes = {}
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(viewport=viewport, locale="en-GB")
        page = context.new_page()
        try:
            _sign_in(page, live_server.base_url, "coordinator")
            page.goto(live_server.base_url + "/stats/nationalities")
            sizes[name] = (page.locator("figure.chart").is_visible(),
                           page.locator("figure.bar-list").is_visible())
            if name == "phone":
                label = page.locator(".bar-list-label").first
                assert label.inner_text() == "Myanmar"
                assert float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 14
                assert _sideways(page) <= 0
        finally:
            context.close()
    assert sizes == {"phone": (False, True), "desktop": (True, False)}
