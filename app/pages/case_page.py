"""The case page: the case with its person, crossings, interviews, screenings,
determinations and referrals, and a timeline of them all; read once, audited once."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app import audit, i18n
from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.cases.determinations import determinations_of
from app.cases.follow_ups import follow_ups_of
from app.cases.interviews import interviews_of, reason_words, screening_read, screenings_of
from app.cases.lifecycle import Event, history_of, is_active
from app.cases.models import Case, Interview
from app.cases.schemas import (
    CaseRead,
    DeterminationRead,
    FollowUpRead,
    InterviewRead,
    ScreeningRead,
    StatusChangeRead,
)
from app.cases.service import case_read
from app.compounds.models import Compound
from app.crossings.models import Crossing
from app.detention.schemas import DetentionRead
from app.detention.service import detention_of, indicates_trafficking
from app.i18n import _
from app.labels import (
    CLOSURE_REASON_LABELS,
    OUTCOME_LABELS,
    REPATRIATION_STAGE_LABELS,
    SERVICE_LABELS,
    STATUS_LABELS,
    SUGGESTION_LABELS,
)
from app.nationalities.service import nationality_names
from app.people.models import Person
from app.referrals.schemas import ReferralRead
from app.referrals.service import case_referrals
from app.repatriation.models import RepatriationBatch
from app.repatriation.schemas import RepatriationRead
from app.repatriation.service import repatriation_of
from app.screening.catalogue import INDICATORS_BY_CODE, STRENGTH_WORDS, short_label


@dataclass
class TimelineEntry:
    at: datetime
    text: str
    kind: str


@dataclass
class CasePage:
    case: CaseRead
    person: Person
    crossings: list[dict[str, Any]]
    screenings: list[ScreeningRead]
    determinations: list[DeterminationRead]
    interviews: list[InterviewRead] | None
    referrals: list[ReferralRead]
    detention: DetentionRead | None = None
    history: list[StatusChangeRead] = field(default_factory=list)
    follow_ups: list[FollowUpRead] | None = None
    nationality: str = ""
    timeline: list[TimelineEntry] = field(default_factory=list)
    # the latest suggestion's age at recruitment came from the person's age today (no date
    # of birth or no recruitment date): the page says it is an estimate
    age_estimated: bool = False
    repatriation: RepatriationRead | None = None
    batch: RepatriationBatch | None = None

    @property
    def active(self) -> bool:
        """Not closed: the case takes new interviews, determinations, referrals."""
        return is_active(self.case.status)

    @property
    def closing(self) -> StatusChangeRead | None:
        """The change that closed the case, while it is closed."""
        if self.active or not self.history:
            return None
        return self.history[-1]

    @property
    def first_step(self) -> bool:
        """A case without an interview: the page leads with starting the intake interview,
        and its other forms wait or step back."""
        return self.active and not self.screenings

    @property
    def latest(self) -> ScreeningRead | None:
        return self.screenings[-1] if self.screenings else None

    @property
    def reasons(self) -> list[list[ReasonPart]]:
        """The latest suggestion's reasons, each indicator in them a link to its answer in the
        interview (for readers of the answers; the others' reasons name no indicator)."""
        latest = self.latest
        if latest is None:
            return []
        if self.interviews is None:
            return [[ReasonPart(reason)] for reason in latest.reasons]
        return [reason_parts(reason, latest.interview_id) for reason in latest.reasons]

    @property
    def latest_determination(self) -> DeterminationRead | None:
        return self.determinations[-1] if self.determinations else None

    @property
    def letter_possible(self) -> bool:
        """A non-punishment letter can be made: the person is held or charged, and there are
        indicators of trafficking to state."""
        held = self.detention is not None and (self.detention.detained or self.detention.charged)
        latest, decided = self.latest, self.latest_determination
        return held and indicates_trafficking(latest.classification if latest else None,
                                              decided.outcome if decided else None)


@dataclass(frozen=True)
class ReasonPart:
    text: str
    code: str = ""  # an indicator's: the text is its words, linked to its answer
    anchor: str = ""


@functools.cache
def _short_words(code: str) -> tuple[re.Pattern, dict[str, str]]:
    """The indicators' short labels in a locale, as the reasons quote them, and their codes."""
    t = i18n.translations(code).gettext
    words = {t(short_label(c)): c for c in INDICATORS_BY_CODE}
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    return pattern, words


def reason_parts(reason: str, interview_id: int) -> list[ReasonPart]:
    """A reason cut into words and the indicators it quotes (in the reader's language), each
    of these linked to its answer with its code beside it."""
    pattern, code_of_words = _short_words(i18n.current_code())
    parts, at = [], 0
    for match in pattern.finditer(reason):
        if match.start() > at:
            parts.append(ReasonPart(reason[at:match.start()]))
        code = code_of_words[match.group(0)]
        parts.append(ReasonPart(match.group(0), code, answer_anchor(interview_id, code)))
        at = match.end()
    if at < len(reason):
        parts.append(ReasonPart(reason[at:]))
    return parts


def answer_anchor(interview_id: int, code: str) -> str:
    return f"answer-{interview_id}-{code}"


def describe_screening(screening: ScreeningRead) -> list[dict[str, Any]]:
    """The suggestion's dimensions in words for people: each with the indicators answered
    yes (plain label, strength, code for reference) and how many were unknown; for a reader
    who may not see the answers (dimension level), `found` and `unknown` are None."""
    rows = []
    for dimension in screening.dimensions:
        row: dict[str, Any] = {"code": dimension.code, "name": _(dimension.name),
                               "present": dimension.present, "found": None, "unknown": None}
        if dimension.yes is not None:
            row["found"] = [
                {"code": code, "label": _(INDICATORS_BY_CODE[code].label),
                 "strength": _(STRENGTH_WORDS.get(strength, strength))}
                for strength, codes in dimension.yes.items() for code in codes
                if code in INDICATORS_BY_CODE
            ]
            row["unknown"] = [{"code": c, "label": _(INDICATORS_BY_CODE[c].label)}
                              for c in dimension.unknown or [] if c in INDICATORS_BY_CODE]
        rows.append(row)
    return rows


def case_page(session: Session, *, actor: Actor, case: Case) -> CasePage:
    """Everything the page of a case the actor may open (CurrentCase) shows, read once and
    audited as one read of the case and of the person's record."""
    person = session.get(Person, case.person_id)
    read = case_read(session, case)
    screening_rows = screenings_of(session, case.id)
    words = reason_words()
    screenings = [screening_read(s, actor, words) for s in screening_rows]
    determinations = determinations_of(session, case.id)
    interviews = (interviews_of(session, case.id, actor, screening_rows)
                  if can(actor, Permission.INTERVIEW_READ) else None)
    crossing_rows = session.exec(
        select(Crossing).where(Crossing.person_id == person.id, access.visible(actor, Crossing))
        .order_by(Crossing.crossed_at)
    ).all()
    crossings = [{"crossed_at": c.crossed_at, "crossing_point": c.crossing_point,
                  "compound_id": c.compound_id, "group_reference": c.group_reference,
                  "direction": c.direction}
                 for c in crossing_rows]
    _attach_compound_names(session, crossings)
    referrals = case_referrals(session, actor=actor, case_id=case.id)
    detention = (detention_of(session, case_id=case.id)
                 if can(actor, Permission.DETENTION_READ) else None)
    history = history_of(session, case.id)
    repatriation = (repatriation_of(session, case=case)
                    if can(actor, Permission.REPATRIATION_READ) else None)
    batch = (session.get(RepatriationBatch, repatriation.batch_id)
             if repatriation is not None and repatriation.batch_id else None)
    case_follow_ups = (follow_ups_of(session, case.id)
                       if can(actor, Permission.FOLLOW_UP_READ) else None)
    audit.record(session, actor=actor, action="case.read", entity_type="case",
                 entity_id=case.id)
    audit.record(session, actor=actor, action="person.read", entity_type="person",
                 entity_id=person.id, detail={"via": "case"})
    page = CasePage(case=read, person=person, crossings=crossings, screenings=screenings,
                    determinations=determinations, interviews=interviews, referrals=referrals,
                    detention=detention, history=history, follow_ups=case_follow_ups,
                    nationality=nationality_names(session).get(person.nationality_code or "",
                                                               ""),
                    repatriation=repatriation, batch=batch)
    if screenings:
        interview = session.get(Interview, screenings[-1].interview_id)
        page.age_estimated = (screenings[-1].age_at_recruitment is not None and not (
            person.date_of_birth and interview is not None and interview.recruited_on))
    page.timeline = _timeline(read, crossings, screenings, determinations, referrals, history,
                              case_follow_ups or [], with_interviews=interviews is not None,
                              repatriation=repatriation)
    return page


def _attach_compound_names(session: Session, crossings: list[dict[str, Any]]) -> None:
    ids = {c["compound_id"] for c in crossings if c["compound_id"]}
    names = dict(session.exec(select(Compound.id, Compound.name)
                              .where(Compound.id.in_(ids))).all()) if ids else {}
    for c in crossings:
        c["compound"] = names.get(c["compound_id"], "")


def _timeline(case: CaseRead, crossings, screenings: list[ScreeningRead],
              determinations: list[DeterminationRead], referrals: list[ReferralRead],
              history: list[StatusChangeRead], follow_ups: list[FollowUpRead], *,
              with_interviews: bool,
              repatriation: RepatriationRead | None = None) -> list[TimelineEntry]:
    # each line one whole message with named placeholders: a translator orders the words
    entries = [TimelineEntry(case.created_at, _("Case %(reference)s opened by %(organisation)s")
                             % {"reference": case.reference, "organisation": case.organization},
                             "case")]
    for c in crossings:
        values = {"point": c["crossing_point"], "compound": c["compound"]}
        if c["direction"] == "exit":
            text = (_("Left the country at %(point)s from %(compound)s") if c["compound"]
                    else _("Left the country at %(point)s"))
        else:
            text = (_("Crossed at %(point)s from %(compound)s") if c["compound"]
                    else _("Crossed at %(point)s"))
        entries.append(TimelineEntry(c["crossed_at"], text % values, "crossing"))
    for s in screenings:
        text = (_("Interview recorded; screening suggests: %(suggestion)s (rules version "
                  "%(version)s)") if with_interviews
                else _("Screening suggests: %(suggestion)s (rules version %(version)s)"))
        entries.append(TimelineEntry(s.created_at, text % {
            "suggestion": SUGGESTION_LABELS[s.classification], "version": s.rules_version},
            "screening"))
    for d in determinations:
        outcome = OUTCOME_LABELS[d.outcome]
        text = (_("Determination: %(outcome)s, by %(user)s") % {"outcome": outcome,
                                                                 "user": d.decided_by}
                if d.decided_by else
                _("Determination: %(outcome)s, by an unknown user") % {"outcome": outcome})
        entries.append(TimelineEntry(d.decided_at, text, "determination"))
    for r in referrals:
        service = SERVICE_LABELS.get(r.service, r.service)
        entries.append(TimelineEntry(r.created_at, _("Referral: %(service)s, %(recipient)s")
                                     % {"service": service, "recipient": r.recipient},
                                     "referral"))
        for change in r.history[1:]:  # the first is the referral itself
            values = {"service": service, "user": change.changed_by, "note": change.note,
                      "status": STATUS_LABELS.get(change.to_status, change.to_status).lower()}
            if change.changed_by and change.note:
                text = _("Referral (%(service)s) marked %(status)s by %(user)s: “%(note)s”")
            elif change.changed_by:
                text = _("Referral (%(service)s) marked %(status)s by %(user)s")
            elif change.note:
                text = _("Referral (%(service)s) marked %(status)s: “%(note)s”")
            else:
                text = _("Referral (%(service)s) marked %(status)s")
            entries.append(TimelineEntry(change.changed_at, text % values, "referral"))
    for f in follow_ups:
        if f.done_at is not None:
            text = (_("Follow-up done: %(title)s, by %(user)s") if f.done_by
                    else _("Follow-up done: %(title)s"))
            entries.append(TimelineEntry(f.done_at, text % {"title": f.title, "user": f.done_by},
                                         "follow_up"))
    for step in repatriation.history if repatriation else []:
        values = {"stage": REPATRIATION_STAGE_LABELS.get(step.to_stage, step.to_stage),
                  "user": step.changed_by}
        # a step that stays at its stage records a fear of return withdrawn (its note says)
        if step.from_stage == step.to_stage:
            text = (_("Repatriation: fear of return withdrawn, by %(user)s") if step.changed_by
                    else _("Repatriation: fear of return withdrawn"))
        else:
            text = (_("Repatriation: %(stage)s, by %(user)s") if step.changed_by
                    else _("Repatriation: %(stage)s"))
        entries.append(TimelineEntry(step.changed_at, text % values, "repatriation"))
    for change in history:
        text = status_change_text(change)
        if text:
            entries.append(TimelineEntry(change.changed_at, text, "status"))
    return sorted(entries, key=lambda e: e.at, reverse=True)


def status_change_text(change: StatusChangeRead) -> str:
    """A closure or a reopening in words (the timeline has its own lines for the opening and
    the determinations that make the other changes)."""
    values = {"user": change.changed_by}
    if change.event == Event.CLOSED:
        values["reason"] = CLOSURE_REASON_LABELS.get(change.reason or "", change.reason or "")
        return (_("Case closed: %(reason)s, by %(user)s") if change.changed_by
                else _("Case closed: %(reason)s")) % values
    if change.event == Event.REOPENED:
        return (_("Case reopened, by %(user)s") if change.changed_by
                else _("Case reopened")) % values
    return ""
