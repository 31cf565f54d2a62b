from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request

from app.auth.permissions import Permission
from app.cases import determinations, follow_ups, interviews, lifecycle, questionnaire, service
from app.cases.deps import CurrentCase
from app.cases.schemas import (
    MAX_NARRATIVE,
    MAX_NOTE,
    CaseClose,
    CaseConsent,
    CaseCreate,
    CaseDetail,
    CaseOverview,
    CaseRead,
    CaseReopen,
    DeterminationCreate,
    DeterminationRead,
    FollowUpCreate,
    FollowUpFilters,
    FollowUpRead,
    FollowUpUpdate,
    InterviewCreate,
    InterviewRead,
    KnownDetails,
    ScreeningRead,
    StatusChangeRead,
)
from app.clock import LOCAL_TZ, local_now
from app.deps import ActorDep, CurrentUser, SessionDep, SettingsDep, require
from app.errors import FormInvalid, NotFound
from app.forms import error_list, form_page, parse_form
from app.i18n import N_, Labels, _
from app.pagination import Page, PageDep, PageParams
from app.people.pages import registration_form
from app.screening.catalogue import DIMENSIONS, indicators_of
from app.web import redirect, render

api = APIRouter(prefix="/api/v1", tags=["cases"])

READ_CASE = require(Permission.CASE_READ_OWN_ORG, Permission.SCREENING_READ_ALL)


def _page_of(items: list, page: PageParams) -> Page:
    return Page(items=items[page.offset:page.offset + page.limit], total=len(items),
                limit=page.limit, offset=page.offset)


# the catalogue of SCREENING.md, part of the public contract
catalogue = APIRouter(prefix="/api/v1", tags=["screening"])


@catalogue.get("/screening/indicators")
def list_indicators(user: CurrentUser,
                    lang: Annotated[str | None, Query(max_length=20)] = None) -> dict:
    """Every dimension and indicator of the catalogue an interview answers (SCREENING.md),
    with its code, strength, question and CTDC field; the words (dimension names, labels,
    questions) in the locale `lang` (th, my, hi...; the caller's own language when left out;
    422 naming `lang` for a locale Passage does not know), the codes never translated.

    The catalogue holds no personal data; any signed-in user may read it."""
    return questionnaire.catalogue_in(questionnaire.check_lang(lang))


@api.post("/cases", response_model=CaseRead, status_code=201,
          dependencies=[require(Permission.CASE_WRITE)],
          responses={404: {"description": "No such person, or no record matches the details"},
                     429: {"description": "Too many searches by details today"}})
def create_case(session: SessionDep, actor: ActorDep, settings: SettingsDep,
                case_in: CaseCreate) -> CaseRead:
    """Open a case, owned by your organisation, for a person you may see (`person_id`), or for
    the person whose own details (`known_details`) find their record, another organisation's
    included: at most PASSAGE_CASE_LINKS_PER_DAY such searches a day, each audited."""
    if case_in.known_details is None:
        case = service.create_case(session, actor=actor, case_in=case_in)
    else:
        case = _open_case_by_details(session, actor, settings, case_in.known_details,
                                     case_in.assigned_to_id)
        if case is None:
            raise NotFound(_("No record matches these details"))
        if case_in.consent_to_share:
            service.set_consent(session, actor=actor, case=case, consent_to_share=True)
    return service.case_read(session, case)


def _open_case_by_details(session, actor, settings, details: KnownDetails,
                          assigned_to_id: int | None = None):
    service.count_record_search(session, actor=actor, per_day=settings.case_links_per_day)
    # the search counts whatever it finds (each is a guess): kept before the answer
    session.commit()
    return service.open_case_by_details(session, actor=actor, details=details,
                                        assigned_to_id=assigned_to_id)


@api.get("/cases", response_model=Page[CaseRead], dependencies=[READ_CASE])
def list_cases(
    session: SessionDep, actor: ActorDep, page: PageDep,
    person_id: Annotated[int | None, Query(ge=1)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    reference: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[CaseRead]:
    """Your organisation's cases (coordinators: every case), newest first."""
    rows, total = service.list_cases(session, actor=actor, page=page, person_id=person_id,
                                     status=status, reference=reference)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@api.get("/cases/{case_id}", response_model=CaseDetail | CaseOverview,
         dependencies=[READ_CASE])
def read_case(session: SessionDep, actor: ActorDep, case: CurrentCase):
    """The case with its suggestions and determinations; caseworkers of the owning
    organisation also get the interviews with their answers and narratives."""
    return service.read_case(session, actor=actor, case=case)


@api.post("/cases/{case_id}/close", response_model=CaseRead,
          dependencies=[require(Permission.CASE_WRITE)])
def close_case(session: SessionDep, actor: ActorDep, case_id: int,
               close_in: CaseClose) -> CaseRead:
    """Close one of your organisation's cases for a `reason`, with a `note`. A closed case
    takes no new interview, determination, referral or follow-up (409) until reopened."""
    return service.case_read(session, lifecycle.close_case(session, actor=actor, case_id=case_id,
                                                           close_in=close_in))


@api.put("/cases/{case_id}/consent-to-share", response_model=CaseRead,
         dependencies=[require(Permission.CASE_WRITE)])
def record_consent(session: SessionDep, actor: ActorDep, case_id: int,
                   consent_in: CaseConsent) -> CaseRead:
    """Record whether the person agreed that their identifying details (name, date of
    birth, phone) go with the case when it is shared in HTCDS, or withdrew it. Your
    organisation's cases only; audited."""
    return service.case_read(session, service.record_consent(
        session, actor=actor, case_id=case_id, consent_to_share=consent_in.consent_to_share))


@api.post("/cases/{case_id}/reopen", response_model=CaseRead,
          dependencies=[require(Permission.CASE_WRITE)])
def reopen_case(session: SessionDep, actor: ActorDep, case_id: int,
                reopen_in: CaseReopen) -> CaseRead:
    """Reopen a closed case, with a `note` saying why; it becomes `determined` or `open`
    again as its latest determination says."""
    return service.case_read(session, lifecycle.reopen_case(session, actor=actor,
                                                            case_id=case_id,
                                                            reopen_in=reopen_in))


@api.get("/cases/{case_id}/history", response_model=Page[StatusChangeRead],
         dependencies=[READ_CASE])
def case_history(session: SessionDep, actor: ActorDep, case: CurrentCase,
                 page: PageDep) -> Page[StatusChangeRead]:
    """Every change of the case's status, oldest first: from and to, the event (opened,
    determination, closed, reopened), the reason and note, who and when."""
    return _page_of(lifecycle.case_history(session, actor=actor, case=case), page)


@api.post("/cases/{case_id}/follow-ups", response_model=FollowUpRead, status_code=201,
          dependencies=[require(Permission.FOLLOW_UP_WRITE)])
def create_follow_up(session: SessionDep, actor: ActorDep, case_id: int,
                     follow_up_in: FollowUpCreate) -> FollowUpRead:
    """A dated task on one of your organisation's cases (not before the case was opened; not
    on a closed case)."""
    return follow_ups.create_follow_up(session, actor=actor, case_id=case_id,
                                       follow_up_in=follow_up_in)


@api.patch("/follow-ups/{follow_up_id}", response_model=FollowUpRead,
           dependencies=[require(Permission.FOLLOW_UP_WRITE)])
def update_follow_up(session: SessionDep, actor: ActorDep, follow_up_id: int,
                     update_in: FollowUpUpdate) -> FollowUpRead:
    """Mark a follow-up done (`done`), drop it (`dropped`), or change its title, day,
    assignee or note."""
    return follow_ups.update_follow_up(session, actor=actor, follow_up_id=follow_up_id,
                                       update_in=update_in)


@api.get("/follow-ups", response_model=Page[FollowUpRead],
         dependencies=[require(Permission.FOLLOW_UP_READ)])
def list_follow_ups(session: SessionDep, actor: ActorDep, page: PageDep,
                    filters: Annotated[FollowUpFilters, Query()]) -> Page[FollowUpRead]:
    """The follow-ups of the cases you may open: overdue first, then by the day they are
    due, done ones last. Due and overdue count only cases that are not closed."""
    rows, total = follow_ups.list_follow_ups(
        session, actor=actor, page=page, assigned_to_id=filters.assignee(actor.user_id),
        states=filters.states(), case_id=filters.case_id)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@api.post("/cases/{case_id}/interviews", response_model=InterviewRead, status_code=201,
          dependencies=[require(Permission.INTERVIEW_WRITE)])
def record_interview(session: SessionDep, actor: ActorDep, case_id: int,
                     interview_in: InterviewCreate) -> InterviewRead:
    """Record an intake interview; the response carries its screening."""
    return interviews.record_interview(session, actor=actor, case_id=case_id,
                                    interview_in=interview_in)


@api.get("/cases/{case_id}/interviews", response_model=Page[InterviewRead],
         dependencies=[require(Permission.INTERVIEW_READ)])
def list_interviews(session: SessionDep, actor: ActorDep, case_id: int,
                    page: PageDep) -> Page[InterviewRead]:
    return _page_of(interviews.list_interviews(session, actor=actor, case_id=case_id), page)


@api.get("/cases/{case_id}/screening", response_model=ScreeningRead,
         dependencies=[require(Permission.SCREENING_READ)])
def latest_screening(session: SessionDep, actor: ActorDep, case_id: int,
                     lang: str | None = None) -> ScreeningRead:
    """The suggestion of the latest interview. Its `reasons` are in English (the rules' own
    words) unless `?lang=` names a locale; codes are never translated."""
    return interviews.latest_screening(session, actor=actor, case_id=case_id,
                                       words=_reason_words(lang))


@api.get("/cases/{case_id}/screenings", response_model=Page[ScreeningRead],
         dependencies=[require(Permission.SCREENING_READ)])
def list_screenings(session: SessionDep, actor: ActorDep, case_id: int,
                    page: PageDep, lang: str | None = None) -> Page[ScreeningRead]:
    """Every suggestion of the case, oldest first; `reasons` in English unless `?lang=`."""
    return _page_of(interviews.list_screenings(session, actor=actor, case_id=case_id,
                                               words=_reason_words(lang)), page)


def _reason_words(lang: str | None):
    # machine consumers get the rules' English unless they ask for a language
    if not lang:
        return interviews.ENGLISH
    return interviews.reason_words(questionnaire.check_lang(lang))


@api.post("/cases/{case_id}/determination", response_model=DeterminationRead,
          status_code=201, dependencies=[require(Permission.DETERMINATION_WRITE)])
def record_determination(session: SessionDep, actor: ActorDep, case_id: int,
                         determination_in: DeterminationCreate) -> DeterminationRead:
    """Record the determination; a rationale is required when it differs from the latest
    suggestion (`undetermined` agrees with `needs_assessment`)."""
    return determinations.record_determination(session, actor=actor, case_id=case_id,
                                        determination_in=determination_in)


@api.get("/cases/{case_id}/determinations", response_model=Page[DeterminationRead],
         dependencies=[require(Permission.SCREENING_READ)])
def list_determinations(session: SessionDep, actor: ActorDep, case_id: int,
                        page: PageDep) -> Page[DeterminationRead]:
    """Every determination of the case, oldest first."""
    return _page_of(determinations.list_determinations(session, actor=actor, case_id=case_id), page)


# --- pages ---

pages = APIRouter(include_in_schema=False)

ANSWER_PREFIX = "answer_"
NOTE_PREFIX = "note_"


@pages.post("/cases", dependencies=[require(Permission.CASE_WRITE)])
def open_case(session: SessionDep, actor: ActorDep, person_id: Annotated[int, Form(ge=1)]):
    case = service.open_case_for(session, actor=actor, person_id=person_id)
    return redirect(f"/cases/{case.id}")


def _find_again(request: Request, session, form: dict, errors: dict[str, str]):
    return registration_form(request, session, form=form, errors=errors)


@pages.post("/cases/find", dependencies=[require(Permission.CASE_WRITE),
                                         form_page(_find_again)])
def find_record_and_open_case(
    session: SessionDep, actor: ActorDep, settings: SettingsDep,
    given_name: Annotated[str, Form(max_length=1000)] = "",
    family_name: Annotated[str, Form(max_length=1000)] = "",
    nationality_code: Annotated[str, Form(max_length=20)] = "",
    date_of_birth: Annotated[str, Form(max_length=20)] = "",
    age_estimate: Annotated[str, Form(max_length=20)] = "",
    document_number: Annotated[str, Form(max_length=200)] = "",
):
    """From the registration form: the record the person's own details find (another
    organisation's included), and a case on it."""
    details = parse_form(KnownDetails, {
        "given_name": given_name, "family_name": family_name,
        "nationality_code": nationality_code, "date_of_birth": date_of_birth,
        "age_estimate": age_estimate, "document_number": document_number})
    case = _open_case_by_details(session, actor, settings, details)
    if case is None:
        raise FormInvalid({"form": _("No record matches these details. Check them with the "
                                   "person, or register them.")})
    return redirect(f"/cases/{case.id}")


def _render_intake(request: Request, session, case_id: int, *, form=None, errors=None):
    case = interviews.intake_context(session, actor=request.state.actor, case_id=case_id)
    errors = _intake_errors(errors or {})
    form = form or {"answers": {}, "notes": {}}
    # the caseworker's language, and the interviewee's beside it when it is another locale
    mine, theirs = questionnaire.sides(questionnaire.locale_of_language(form.get("language")))
    return render(request, "cases/interview.html", {
        "case": case, "form": form,
        "sections": [(d, indicators_of(d.code)) for d in DIMENSIONS],
        "errors": errors, "error_list": error_list(errors, INTAKE_LABELS),
        "max_narrative": MAX_NARRATIVE, "max_note": MAX_NOTE,
        "mine": mine, "theirs": theirs, "consent_statement": questionnaire.CONSENT_STATEMENT,
        "consent_question": questionnaire.CONSENT_QUESTION,
    })


LANGUAGE_LABELS = Labels({"language": N_("Language of the interview"),
                          "other": N_("If another language, which one")})


def _language_step(request: Request, session, case_id: int, *, form: dict,
                   errors: dict[str, str] | None = None):
    """The interview's first step: its language, from the locales Passage knows or another;
    and the questionnaire on paper in each."""
    case = interviews.intake_context(session, actor=request.state.actor, case_id=case_id)
    errors = errors or {}
    return render(request, "cases/interview_language.html", {
        "case": case, "form": form, "errors": errors,
        "error_list": error_list(errors, LANGUAGE_LABELS),
        "languages": [(code, _(name)) for code, name in questionnaire.interview_languages()],
        "paper_languages": questionnaire.paper_languages(),
    }, status_code=422 if errors else 200)


def _intake_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _render_intake(request, session, int(request.path_params["case_id"]),
                          form=_intake_form(form), errors=errors)


@pages.get("/cases/{case_id}/interview", dependencies=[require(Permission.INTERVIEW_WRITE)])
def intake_page(request: Request, session: SessionDep, case_id: int,
                language: Annotated[str | None, Query(max_length=100)] = None,
                other: Annotated[str, Query(max_length=100)] = ""):
    """The language of the interview first (?language=th, or other&other=Karen), then the
    questions in the caseworker's language with the interviewee's beside them."""
    form = {"language": language or "", "other": other}
    if language is None:
        return _language_step(request, session, case_id, form=form)
    if language == questionnaire.OTHER:
        if not other.strip():
            return _language_step(request, session, case_id, form=form, errors={
                "other": _("Write the language of the interview")})
        stored = " ".join(other.split())
    elif questionnaire.is_locale(language):
        stored = questionnaire.stored_language(language)
    else:
        return _language_step(request, session, case_id, form=form, errors={
            "language": _("Choose a language from the list, or another language")})
    return _render_intake(request, session, case_id,
                          form={"answers": {}, "notes": {}, "language": stored})


@pages.post("/cases/{case_id}/interview",
            dependencies=[require(Permission.INTERVIEW_WRITE), form_page(_intake_again)])
async def record_intake(request: Request, session: SessionDep, actor: ActorDep, case_id: int):
    form = _intake_form(await request.form())
    interview_in = parse_form(InterviewCreate, {
        "conducted_at": _conducted_at(form["conducted_on"]),
        "language": form["language"], "interpreter_used": form["interpreter_used"],
        "consent_given": form["consent_given"], "recruited_on": form["recruited_on"] or None,
        "answers": form["answers"], "narrative": form["narrative"],
        "section_notes": form["notes"]})
    interviews.record_interview(session, actor=actor, case_id=case_id,
                                interview_in=interview_in)
    return redirect(f"/cases/{case_id}#suggestion")


def _text(raw, name: str, limit: int) -> str:
    value = raw.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _intake_form(raw) -> dict:
    """The intake form's fields as the template re-fills them and the schema reads them."""
    answers = {key.removeprefix(ANSWER_PREFIX): _text(raw, key, 16)
               for key in raw.keys() if key.startswith(ANSWER_PREFIX)}
    notes = {key.removeprefix(NOTE_PREFIX): _text(raw, key, MAX_NOTE + 1)
             for key in raw.keys() if key.startswith(NOTE_PREFIX)}
    return {
        "consent_given": _text(raw, "consent_given", 8) == "yes",
        "conducted_on": _text(raw, "conducted_on", 10),
        "language": _text(raw, "language", 101),
        "interpreter_used": _text(raw, "interpreter_used", 8) == "yes",
        "recruited_on": _text(raw, "recruited_on", 10),
        "answers": answers,
        "notes": {code: note for code, note in notes.items() if note.strip()},
        "narrative": _text(raw, "narrative", MAX_NARRATIVE + 1),
    }


def _conducted_at(value: str):
    """A date from the form: today means now; an earlier day means midday of that day at the
    reception centre. A value that is not a date is left for the schema to refuse."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    now = local_now()
    if day == now.date():
        return now
    return datetime.combine(day, time(12), tzinfo=LOCAL_TZ)


INTAKE_LABELS = Labels({"conducted_on": N_("Date of the interview"), "language": N_("Language"),
                 "consent_given": N_("Consent"), "recruited_on": N_("Recruitment date"),
                 "narrative": N_("Narrative")})


def _intake_errors(errors: dict[str, str]) -> dict[str, str]:
    renamed = {"conducted_at": "conducted_on"}
    plain = {"consent_given": "The person's informed consent is needed before the interview "
                              "is recorded"}
    out = {}
    for name, message in errors.items():
        name = renamed.get(name, name)
        out[name] = plain.get(name, message)
    return out
