"""The non-punishment letter: one page to the authority that holds or charges a person in whom
the screening found indicators of trafficking.

It states what the screening found (the dimensions, in words), who determined what and when,
and the non-punishment principle. It never carries the interview's answers, indicator codes or
narrative. Like a referral letter, it names the person only with their consent.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app import audit
from app.audit.service import Actor
from app.cases.schemas import Outcome
from app.clock import local_date, local_today
from app.detention import service as detention_service
from app.labels import GROUNDS_LABELS, SEX_LABELS, SUGGESTION_LABELS
from app.nationalities.models import Nationality
from app.people.models import Person
from app.reports.letters import LATIN, LATIN_BOLD, LetterPage, LetterPerson
from app.web import format_date

DECISION_WORDS = {
    Outcome.TRAFFICKING_VICTIM: "the person is a victim of trafficking",
    Outcome.WILLING_WORKER: "willing worker (not a victim of trafficking)",
    Outcome.UNDETERMINED: "undetermined, more assessment is needed",
}

PALERMO = ("The Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially "
           "Women and Children (Palermo Protocol, 2000) obliges States to protect and assist "
           "the victims of trafficking (articles 2, 6 and 7); the Working Group on Trafficking "
           "in Persons of its Conference of the Parties has recommended that States not "
           "punish or prosecute trafficked persons for unlawful acts committed as a direct "
           "consequence of their having been trafficked.")
ASEAN = ("Article 14(7) of the ASEAN Convention against Trafficking in Persons, Especially "
         "Women and Children (2015) asks each Party, subject to its domestic laws and in "
         "appropriate cases, to consider not holding victims of trafficking criminally or "
         "administratively liable for unlawful acts committed by them where those acts are "
         "directly related to the acts of trafficking.")


@dataclass(frozen=True)
class Finding:
    """The suggestion the letter rests on."""

    screened_on: date
    rules_version: int
    suggestion: str  # in words
    dimensions: tuple[str, ...]  # the dimensions found present, in words


@dataclass(frozen=True)
class Decision:
    outcome: str  # in words
    decided_by: str
    decided_on: date


@dataclass(frozen=True)
class NonPunishmentContent:
    case_reference: str
    organization: str
    contact_name: str
    generated_on: date
    authority: str
    place: str
    since: date | None
    detained: bool
    charged: bool
    grounds: str  # in words, "" when not recorded
    person: LetterPerson | None  # None: the person did not consent to be named
    finding: Finding | None
    decision: Decision | None


def _situation(content: NonPunishmentContent) -> str:
    held = []
    if content.detained:
        where = f" at {content.place}" if content.place else ""
        held.append(f"detained by {content.authority}{where}")
    if content.charged:
        held.append(f"charged by {content.authority}" if not content.detained else "charged")
    text = "The person is " + " and ".join(held)
    if content.since:
        text += f", since {format_date(content.since)}"
    if content.grounds:
        text += f", for {content.grounds}"
    return text + "."


def _findings(content: NonPunishmentContent) -> list[str]:
    lines = []
    finding = content.finding
    if finding is not None:
        lines.append(
            f"On {format_date(finding.screened_on)}, {content.organization} screened the "
            "person's intake interview against the ILO and European Commission Operational "
            "indicators of trafficking in human beings (Passage screening rules, version "
            f"{finding.rules_version}). The screening suggested: {finding.suggestion}.")
        if finding.dimensions:
            lines.append("Indicators of trafficking were found in these dimensions: "
                         + "; ".join(finding.dimensions) + ".")
    decision = content.decision
    if decision is not None:
        lines.append(f"On {format_date(decision.decided_on)}, {decision.decided_by} of "
                     f"{content.organization} determined: {decision.outcome}.")
    else:
        lines.append("No determination has been recorded yet. The screening's suggestion is "
                     "not a determination; a caseworker decides.")
    return lines


def render_non_punishment_letter(content: NonPunishmentContent) -> bytes:
    pdf = LetterPage.headed(title=f"Non-punishment {content.case_reference}",
                            organization=content.organization)
    pdf.use(LATIN_BOLD, 17)
    pdf.cell(0, 10, "Indicators of trafficking: non-punishment", new_x="LMARGIN",
             new_y="NEXT")
    pdf.field("Date", format_date(content.generated_on))
    pdf.field("To", content.authority)
    pdf.field("Place", content.place)
    pdf.field("Case reference", content.case_reference)

    pdf.heading("The person", size=12)
    person = content.person
    if person is None:
        pdf.paragraph("The person did not agree to be named in this letter. Please quote the "
                      "case reference; we will identify the person to you with their "
                      "consent.", size=10)
    else:
        pdf.field("Name", " ".join(p for p in (person.given_name, person.family_name) if p))
        if person.date_of_birth:
            pdf.field("Date of birth", format_date(person.date_of_birth))
        elif person.age_estimate is not None:
            pdf.field("Age (estimated)", str(person.age_estimate))
        pdf.field("Sex", person.sex)
        pdf.field("Nationality", person.nationality)
        pdf.field("Document number", person.document_number or "")
    pdf.paragraph(_situation(content), size=10)

    pdf.heading("What the screening found", size=12)
    for line in _findings(content):
        pdf.paragraph(line, size=10)

    pdf.heading("The non-punishment principle", size=12)
    pdf.paragraph(PALERMO, size=9.5)
    pdf.paragraph(ASEAN, size=9.5)
    pdf.paragraph("We therefore ask you to take these findings into account, to treat the "
                  "person as a possible victim of trafficking, to refer them for "
                  "identification and assistance, and not to detain, prosecute or punish "
                  "them for offences committed as a direct consequence of being trafficked, "
                  "such as entering or staying without permission or the fraud they were "
                  "forced to commit.", size=10)

    pdf.heading("Contact", size=12)
    pdf.paragraph(f"{content.contact_name}, {content.organization}. Please quote case "
                  f"reference {content.case_reference} when you reply.", size=10)

    pdf.set_y(-20)
    pdf.use(LATIN, 8)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 4, "Confidential. This letter holds no account of the person's "
                         "experience; it reports the screening's result only. Made with "
                         f"Passage on {format_date(content.generated_on)}.")
    return bytes(pdf.output())


def _letter_person(session: Session, actor: Actor, person_id: int) -> LetterPerson:
    row = session.get(Person, person_id)
    nationality = session.get(Nationality, row.nationality_code) if row.nationality_code \
        else None
    audit.record(session, actor=actor, action="person.read", entity_type="person",
                 entity_id=row.id, detail={"via": "non-punishment letter"})
    return LetterPerson(given_name=row.given_name, family_name=row.family_name,
                        sex=SEX_LABELS.get(row.sex, row.sex), date_of_birth=row.date_of_birth,
                        age_estimate=row.age_estimate,
                        nationality=nationality.name if nationality else "",
                        document_number=row.document_number, phone=None)


def non_punishment_letter(session: Session, *, actor: Actor, case_id: int) -> bytes:
    """The letter for a case, recorded and audited; 409 when there is nothing to state."""
    basis = detention_service.letter_basis(session, actor=actor, case_id=case_id)
    detention, screening, determination = basis.detention, basis.screening, basis.determination
    finding = None
    if screening is not None:
        present = [d["name"].lower() for d in screening.result.get("dimensions", [])
                   if d.get("present")]
        finding = Finding(screened_on=local_date(screening.created_at),
                          rules_version=screening.rules_version,
                          suggestion=SUGGESTION_LABELS[screening.classification],
                          dimensions=tuple(present))
    decision = None
    if determination is not None:
        decision = Decision(outcome=DECISION_WORDS[determination.outcome],
                            decided_by=determination.decided_by or "a caseworker",
                            decided_on=local_date(determination.decided_at))
    person = (_letter_person(session, actor, basis.case.person_id)
              if detention.consent_to_share else None)
    content = NonPunishmentContent(
        case_reference=basis.case.reference, organization=basis.organization,
        contact_name=actor.full_name or actor.username or "",
        generated_on=local_today(), authority=detention.authority,
        place=detention.place, since=detention.since, detained=detention.detained,
        charged=detention.charged, grounds=GROUNDS_LABELS.get(detention.grounds or "", ""),
        person=person, finding=finding, decision=decision)
    pdf = render_non_punishment_letter(content)
    letter = detention_service.record_letter(session, actor=actor, basis=basis,
                                             names_person=person is not None)
    audit.record(session, actor=actor, action="export.letter", entity_type="case",
                 entity_id=basis.case.id,
                 detail={"letter": "non_punishment", "letter_id": letter.id,
                         "names_person": person is not None, "rows": 1})
    return pdf
