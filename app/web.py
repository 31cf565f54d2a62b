"""Templates, rendering, and the CSRF token carried by every form."""

import hashlib
import hmac
import secrets
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.lists import format_list
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from app import i18n
from app.auth.permissions import Permission, Role, can
from app.clock import LOCAL_TZ
from app.config import PROJECT_ROOT
from app.errors import PermissionDenied
from app.i18n import _
from app.labels import CROSSING_DIRECTION_LABELS, ROLE_LABELS, country_name
from app.navigation import DESTINATIONS
from app.pagination import COUNT_LIMIT, is_exact

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "app" / "static"
CSRF_COOKIE = "passage_csrf"
CSRF_FIELD = "csrf_token"


# --- CSRF: a random cookie per browser; forms carry an HMAC of it (signed double submit) ---

def _csrf_seed(request: Request) -> str:
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE)
    if not seed:
        seed = secrets.token_urlsafe(32)
        request.state.csrf_seed = seed
        request.state.set_csrf_cookie = True
    return seed


def csrf_token(request: Request) -> str:
    key = request.app.state.secret_key.encode()
    return hmac.new(key, _csrf_seed(request).encode(), hashlib.sha256).hexdigest()


async def check_csrf(request: Request, token: str | None = None) -> None:
    if token is None:
        token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    if not request.cookies.get(CSRF_COOKIE) or not token or not hmac.compare_digest(
        token, csrf_token(request)
    ):
        raise PermissionDenied(_("The form has expired or did not come from Passage; "
                                 "reload the page and try again"), action="csrf.check")


def set_csrf_cookie_if_new(request: Request, response) -> None:
    if getattr(request.state, "set_csrf_cookie", False):
        response.set_cookie(CSRF_COOKIE, request.state.csrf_seed, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https", path="/")


# --- formatting shown to people ---

def format_words(items) -> str:
    """A list in words, the reader's language's way ("a, b and c", "a、b和c"): Babel's list
    patterns; English as the house style writes it, with no comma before "and"."""
    items = [str(item) for item in items]
    if i18n.current_code() == i18n.SOURCE_LOCALE and len(items) > 2:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return format_list(items, locale=i18n.current_code()) if items else ""


def format_date(value: date | datetime | None, form: str = "day") -> str:
    """A date with its month in words, in the reader's language (app.i18n.format_date);
    `|date("month")` the month and year alone ("October 2025", app.i18n.format_month)."""
    if value is None:
        return ""
    if form == "month":
        return i18n.format_month(value.date() if isinstance(value, datetime) else value)
    if isinstance(value, datetime):
        # a time says its zone: the reader may be anywhere, Passage counts in Thai time
        local = value.astimezone(LOCAL_TZ)
        return _("%(date)s %(time)s Thai time") % {
            "date": i18n.format_date(local.date()), "time": i18n.format_time(local, LOCAL_TZ)}
    return i18n.format_date(value)


def format_number(value: object) -> str:
    """A count as people read it, in the reader's language: 12,480 (12.480 in Indonesian).
    What is not a number ("<5", a suppressed cell) shows as it is. The one way a page writes
    a number (the `num` filter)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return i18n.format_number(value)
    return str(value)


def format_total(value: object) -> str:
    """A list's total as counted (app.pagination): past COUNT_LIMIT rows, "more than
    10,000" (the `total` filter)."""
    if isinstance(value, int) and not isinstance(value, bool) and not is_exact(value):
        return _("more than %(num)s") % {"num": i18n.format_number(COUNT_LIMIT)}
    return format_number(value)


def role_label(role: str | None) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except (ValueError, KeyError):
        return role or ""


def language_choices() -> list[tuple[str, str]]:
    """The offered languages as a form's choices: each in its own name (and English's)."""
    return [(locale.code, locale.native_name if locale.native_name == locale.english_name
             else f"{locale.native_name} ({locale.english_name})")
            for locale in i18n.available()]


@lru_cache
def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(TEMPLATES_DIR))
    t.env.add_extension("jinja2.ext.i18n")
    # newstyle: _("%(name)s", name=...) escapes its values; the locale is the request's
    t.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    t.env.globals.update(can=can, Permission=Permission, csrf_token=csrf_token,
                         role_label=role_label, CSRF_FIELD=CSRF_FIELD, country=country_name,
                         nav_items=DESTINATIONS, home_items=DESTINATIONS,
                         direction_choices=CROSSING_DIRECTION_LABELS.items,
                         html_lang=lambda: i18n.current().html_lang,
                         locale_code=i18n.current_code, languages=i18n.available,
                         language_name=i18n.language_name,
                         language_choices=language_choices)
    t.env.filters["date"] = format_date
    t.env.filters["num"] = format_number
    t.env.filters["total"] = format_total
    t.env.filters["words"] = format_words
    return t


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    # templates see the Actor (plain values), never an ORM row that a rollback may expire
    ctx: dict[str, Any] = {"user": getattr(request.state, "actor", None)}
    ctx["org_name"] = getattr(request.state, "org_name", "")
    ctx.update(context or {})
    response = templates().TemplateResponse(request, name, ctx, status_code=status_code)
    set_csrf_cookie_if_new(request, response)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
