"""The exports: referral report (CSV, XLSX), statistics (CSV, XLSX) and CTDC (CSV).

Each function checks access and filters at once (so a refusal is a plain 403 before anything
streams), then returns an Export whose body reads the database as it is sent: rows come in
batches (`yield_per`: a server-side cursor on PostgreSQL), so memory stays flat whatever the
number of rows. The audit event, with the filters and the number of rows, is committed before
the body's last chunk, or when the body breaks off (app.reports.streaming; routes take
StreamingSessionDep).

The reads go through a connection of their own (`reading.Reader`), closed before the audit event is
written, and the request's session is touched only for that event (and, in the statistics
export, to store a month published for the first time, committed before the body streams):
on SQLite, where every write transaction takes the database's one write lock, a long
download then never holds the lock while it streams (with app.db honouring
`passage_read_only`), and never waits on itself.
"""

import csv
import tempfile
from collections import Counter
from collections.abc import Iterator

from sqlalchemy import ColumnElement, case, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization
from app.auth.permissions import Permission, can, can_any
from app.cases.latest import latest_value
from app.cases.models import Case, Interview, Screening
from app.clock import LOCAL_TZ, local_date, local_today
from app.compounds.models import Compound
from app.crossings.models import Crossing
from app.errors import PermissionDenied, TooLarge
from app.i18n import N_, _
from app.labels import SERVICE_LABELS, SEX_LABELS, STATUS_LABELS
from app.nationalities.models import Nationality
from app.people.models import Person
from app.referrals.models import Referral, ReferralStatusChange
from app.referrals.schemas import ReferralFilters
from app.referrals.service import filter_conditions
from app.reports import ctdc, disclosure, publication
from app.reports.reading import Reader, record_when_done
from app.reports.schemas import CaseDateFilters, ExportFormat, Labels
from app.reports.streaming import CSV_TYPE, XLSX_TYPE, Export, RowCounter, audited
from app.reports.suppression import SECONDARY_LABEL
from app.reports.writers import XLSX_MAX_ROWS, csv_chunks, xlsx_chunks


def _today() -> str:
    return local_today().isoformat()


def _body(fmt: ExportFormat, header, rows, *, sheet: str, notes=()) -> Iterator[bytes]:
    if fmt is ExportFormat.XLSX:
        return xlsx_chunks(header, rows, sheet=sheet, notes=notes)
    return csv_chunks(header, rows)


def _export(fmt: ExportFormat, name: str, body: Iterator[bytes], **kwargs) -> Export:
    media_type = XLSX_TYPE if fmt is ExportFormat.XLSX else CSV_TYPE
    return Export(filename=f"passage-{name}-{_today()}.{fmt.value}", media_type=media_type,
                  body=body, **kwargs)


# --- referral report --------------------------------------------------------------------

REFERRAL_HEADER = (
    "referral_id", "case_reference", "referred_on", "organization", "service", "recipient",
    "status", "status_changed_at", "status_note", "consent_to_share", "given_name",
    "family_name", "sex", "date_of_birth", "age_estimate", "nationality", "document_number",
    "phone", "notes",
)


def referral_export_scope(actor: Actor) -> ColumnElement[bool]:
    """The referrals an actor may export: those they may see, for roles that may export
    referrals at all (coordinators all, caseworkers their organisation's); anyone else is
    refused."""
    if not can_any(actor, Permission.EXPORT_REFERRALS_ALL, Permission.EXPORT_REFERRALS_OWN_ORG):
        raise PermissionDenied(action="export.referrals", entity_type="report")
    return access.visible(actor, Referral)


def _shared(column):
    """The column's value only where the person consented to share it: an anonymous
    referral's identity is never even read out of the database for a report."""
    return case((Referral.consent_to_share == true(), column), else_=None)


def _status_note():
    """The note typed with the referral's latest move (empty for one never moved)."""
    return (select(ReferralStatusChange.note)
            .where(ReferralStatusChange.referral_id == Referral.id)
            .order_by(ReferralStatusChange.changed_at.desc(), ReferralStatusChange.id.desc())
            .limit(1).scalar_subquery())


def _referral_statement(scope: ColumnElement[bool], filters: ReferralFilters):
    return (
        select(Referral.id, Case.reference, Referral.created_at, Organization.name,
               Referral.service, Referral.recipient, Referral.status, Referral.updated_at,
               _shared(_status_note()), Referral.consent_to_share,
               _shared(Person.given_name), _shared(Person.family_name),
               _shared(Person.sex), _shared(Person.date_of_birth),
               _shared(Person.age_estimate), _shared(Nationality.name),
               _shared(Person.document_number), _shared(Person.phone),
               _shared(Referral.notes))
        .join(Case, Case.id == Referral.case_id)
        .join(Person, Person.id == Case.person_id)
        .join(Organization, Organization.id == Referral.organization_id)
        .outerjoin(Nationality, Nationality.code == Person.nationality_code)
        .where(scope, *filter_conditions(filters))
    )


# the same columns in words, for people (`labels=words`, the default)
REFERRAL_HEADER_WORDS = (
    N_("Referral"), N_("Case"), N_("Referred on"), N_("Organisation"), N_("Service"),
    N_("Recipient"), N_("Status"), N_("Status changed"), N_("Status note"),
    N_("Consent to share"), N_("Given name"), N_("Family name"), N_("Sex"),
    N_("Date of birth"), N_("Age (estimated)"), N_("Nationality"), N_("Document number"),
    N_("Phone"), N_("Notes"),
)


def _referral_rows(reader: Reader, statement, labels: Labels = Labels.CODES) -> Iterator[tuple]:
    words = labels is Labels.WORDS
    for row in reader.stream(statement.order_by(Referral.created_at, Referral.id)):
        (rid, reference, created_at, organization, service, recipient, status, updated_at,
         status_note, consent, given, family, sex, *person) = row
        if words:
            service = SERVICE_LABELS.get(service, service)
            status = STATUS_LABELS.get(status, status)
            sex = SEX_LABELS.get(sex, sex) if sex else sex
            consent = _("Yes") if consent else _("No")
        yield (rid, reference, local_date(created_at), organization, service, recipient, status,
               updated_at.astimezone(LOCAL_TZ), status_note, consent, given, family, sex,
               *person)


def export_referrals(session: Session, *, actor: Actor, filters: ReferralFilters,
                     fmt: ExportFormat, labels: Labels = Labels.WORDS) -> Export:
    scope = referral_export_scope(actor)
    statement = _referral_statement(scope, filters)
    reader = Reader(session)
    try:
        if fmt is ExportFormat.XLSX:
            total = reader.execute(select(func.count()).select_from(
                statement.order_by(None).subquery())).scalar_one()
            if total >= XLSX_MAX_ROWS:
                raise TooLarge(
                    _(
                        "%(total)s rows are more than one XLSX sheet holds; export them as CSV or "
                        "narrow the filters"
                    )
                    % {"total": total}
                )
    except Exception:
        reader.close()
        raise
    counter = RowCounter(_referral_rows(reader, statement, labels))
    header = ([_(words) for words in REFERRAL_HEADER_WORDS] if labels is Labels.WORDS
              else REFERRAL_HEADER)
    detail = {"format": fmt.value, "labels": labels.value, "filters": filters.as_audit(),
              "scope": "all" if can(actor, Permission.EXPORT_REFERRALS_ALL) else "organization"}
    body = audited(_body(fmt, header, counter, sheet="Referrals"),
                   rows=lambda: counter.count,
                   on_done=record_when_done(session, reader, actor=actor, action="export.referrals",
                                     detail=detail))
    return _export(fmt, "referrals", body, close=reader.close)


# --- statistics -------------------------------------------------------------------------

SEXES = publication.SEXES
SUGGESTIONS = publication.SUGGESTIONS
OUTCOMES = publication.OUTCOMES
STATISTICS_HEADER = ("nationality_code", "nationality", "suggestion", "determination",
                     *SEXES, "total")


def _case_date_conditions(filters: CaseDateFilters) -> list[ColumnElement[bool]]:
    return filters.conditions(Case.created_at)


def statistics_counts(reader: Reader, *, filters: CaseDateFilters
                      ) -> Counter[tuple[str, str, str, str]]:
    """Cases by (nationality, latest suggestion, latest determination, sex), as they stand."""
    return publication.case_counts(reader, filters=filters)


def statistics_table(counts: Counter, names: dict[str, str], threshold: int):
    """The integrators' layout (`labels=codes`), for coordinators (exact): the combinations of
    nationality, suggestion and determination that have cases, by sex, then the total."""
    keys = sorted({k[:3] for k in counts},
                  key=lambda k: (names.get(k[0], "~") if k[0] else "~~", k[0],
                                 SUGGESTIONS.index(k[1]), OUTCOMES.index(k[2])))
    if not keys:
        return []
    matrix = [[counts.get((*key, sex), 0) for sex in SEXES] for key in keys]
    published = disclosure.publish(matrix, width=len(SEXES), threshold=threshold, exact=True)
    return _statistics_rows(keys, names, published)


def _statistics_rows(keys, names: dict[str, str], published: disclosure.Published):
    rows = [[key[0] or ctdc.UNKNOWN_CITIZENSHIP, names.get(key[0], "Not recorded"),
             key[1], key[2], *published.cells[i], published.row_totals[i]]
            for i, key in enumerate(keys)]
    rows.append(["", "Total", "", "", *published.column_totals, published.grand_total])
    return rows


# The layout people read (labels=words, the default): one row per nationality, the cases by
# determination and their total, then the same cases by sex. The two tables share their rows'
# totals (the Total column) and the grand total, so they are published as one: suppressed
# together (app.reports.network_suppression), a hidden count of either table cannot be
# worked out from the other's totals. Nationality × sex rather than sex × determination: an
# embassy reads its own nationals' row, how many were found to be victims and how many are
# women and men (shelter, escorts, documents); it is also the table that shares the rows.
STATISTICS_SEX_WORDS = {"female": N_("Female"), "male": N_("Male"), "other": N_("Other sex"),
                        "unknown": N_("Sex not known")}
STATISTICS_DETERMINATION_WORDS = {
    "trafficking_victim": N_("Trafficking victim"), "willing_worker": N_("Willing worker"),
    "undetermined": N_("Undetermined"), "none": N_("No determination yet")}
STATISTICS_TABLES_HEADER = ("nationality_code", "nationality", *OUTCOMES, "total", *SEXES)
# in English as written; a file gets them in its reader's language (_statistics_words)
STATISTICS_TABLES_WORDS = (N_("Nationality"), N_("Code"),
                           *STATISTICS_DETERMINATION_WORDS.values(), N_("Total"),
                           *STATISTICS_SEX_WORDS.values())
NOT_RECORDED = N_("Not recorded")


def _statistics_words() -> tuple[str, ...]:
    return tuple(_(words) for words in STATISTICS_TABLES_WORDS)


def _by_nationality(counts: Counter) -> dict[str, tuple[list[int], list[int]]]:
    """Each nationality's cases by determination and by sex (the two tables' rows)."""
    rows: dict[str, tuple[list[int], list[int]]] = {}
    for (code, _suggestion, outcome, sex), n in counts.items():
        by_outcome, by_sex = rows.setdefault(code, ([0] * len(OUTCOMES), [0] * len(SEXES)))
        by_outcome[OUTCOMES.index(outcome)] += n
        by_sex[SEXES.index(sex)] += n
    return rows


def _table_row(code: str, names: dict[str, str], labels: Labels, cells: list) -> list:
    name = names.get(code, NOT_RECORDED) if code else NOT_RECORDED
    if labels is Labels.WORDS:
        return [_(name) if name == NOT_RECORDED else name, code, *cells]
    return [code or ctdc.UNKNOWN_CITIZENSHIP, name, *cells]


def _total_row(labels: Labels, cells: list) -> list:
    return [_("Total"), "", *cells] if labels is Labels.WORDS else ["", "Total", *cells]


def statistics_tables_exact(counts: Counter, names: dict[str, str], labels: Labels):
    """The two tables as coordinators read them (exact): the nationalities that have cases,
    most cases first, then the Total row."""
    rows = _by_nationality(counts)
    if not rows:
        return []
    order = sorted(rows, key=lambda c: (-sum(rows[c][0]),
                                        names.get(c, "~") if c else "~~", c))
    out = [_table_row(code, names, labels, [*rows[code][0], sum(rows[code][0]),
                                            *rows[code][1]]) for code in order]
    det_totals = [sum(rows[c][0][k] for c in rows) for k in range(len(OUTCOMES))]
    sex_totals = [sum(rows[c][1][k] for c in rows) for k in range(len(SEXES))]
    out.append(_total_row(labels, [*det_totals, sum(det_totals), *sex_totals]))
    return out


def statistics_tables_suppressed(month: publication.MonthPublication, names: dict[str, str],
                                 labels: Labels):
    """The two tables as every other role reads them: every nationality Passage knows (and
    "not recorded"), zeros included, as the month's one publication has them
    (app.reports.publication: suppressed together with every other table published for the
    month, the outcome counts' included). Rows with numbers first, most first, then by name:
    the order says no more than the numbers."""
    published = [(row.code, [*(row.determinations[k] for k in OUTCOMES), row.cases,
                             *(row.sexes[k] for k in SEXES)]) for row in month.rows]
    # (codes are in the order of their names already, "not recorded" last: a stable sort)
    published.sort(key=lambda r: (0, -r[1][len(OUTCOMES)]) if isinstance(
        r[1][len(OUTCOMES)], int) else (1, 0))
    out = [_table_row(code, names, labels, cells) for code, cells in published]
    out.append(_total_row(labels, [*(month.determinations[k] for k in OUTCOMES), month.cases,
                                   *(month.sexes[k] for k in SEXES)]))
    return out


def _hidden(rows, threshold: int, first: int = 4) -> tuple[int, int]:
    """(cells shown as "<threshold", cells hidden as "x") of the published rows."""
    values = [v for row in rows for v in row[first:]]
    return values.count(f"<{threshold}"), values.count(SECONDARY_LABEL)


def export_statistics(session: Session, *, actor: Actor, filters: CaseDateFilters,
                      fmt: ExportFormat, threshold: int, labels: Labels = Labels.WORDS) -> Export:
    """Cases by nationality: by determination with their total, then by sex (one row per
    nationality, the two tables side by side sharing the Total column), in words by default.

    Coordinators: exact, for any range of days, the nationalities that have cases, as things
    stand now; with `labels=codes` the integrators' layout (nationality × suggestion ×
    determination × sex, one row per combination that has cases). Every other role (border
    officials): one table per completed calendar month of the range (a month column first,
    each month with its own Total row, never a total across months), counted as recorded when
    the last month ended, every nationality, small counts and zeros as "<threshold" and
    secondary suppression of both tables together (app.reports.disclosure); `labels=codes`
    gives them the same numbers under the machine codes (a second layout with its own
    suppression could be set against this one)."""
    if not can(actor, Permission.EXPORT_STATISTICS):
        raise PermissionDenied(action="export.statistics", entity_type="report")
    exact = disclosure.is_exact_for(actor)
    combinations = exact and labels is Labels.CODES  # the integrators' long layout
    words = labels is Labels.WORDS
    reader = Reader(session)
    withheld_months: list[str] = []
    try:
        names = dict(reader.execute(select(Nationality.code, Nationality.name)).all())
        if exact:
            counts = statistics_counts(reader, filters=filters)
            if combinations:
                rows = statistics_table(counts, names, threshold)
                header, first = STATISTICS_HEADER, 4
            else:
                rows = statistics_tables_exact(counts, names, labels)
                header = _statistics_words() if words else STATISTICS_TABLES_HEADER
                first = 2
            as_of = None
            period_from, period_to = filters.date_from, filters.date_to
        else:
            plan = publication.months_of_cases(reader, filters.date_from, filters.date_to)
            as_of = plan.as_of
            header = ((_("Month"), *_statistics_words()) if words
                      else ("month", *STATISTICS_TABLES_HEADER))
            first, rows = 3, []
            published = publication.month_publications(session, reader, plan.months, names,
                                                       threshold)
            # a month published now is stored in the request's transaction: committed before
            # the body streams, so that on SQLite no write lock is held while it does
            session.commit()
            for month, one in zip(plan.months, published, strict=True):
                tables = statistics_tables_suppressed(one, names, labels)
                if one.withheld:
                    withheld_months.append(month.key)
                rows.extend([month.key, *row] for row in tables)
            period_from = plan.months[0].first if plan.months else filters.date_from
            period_to = plan.months[-1].last if plan.months else filters.date_to
    finally:
        reader.close()  # the table is small and built here: nothing is read while it streams
    primary, secondary = _hidden(rows, threshold, first)
    period = (f"From {period_from or 'the first case'} to {period_to or 'today'}.")
    rule = () if exact else (
        disclosure.rule_sentence(threshold),
        "One table per month (the month column), each with its own Total row: add no months "
        "up, none is published for a range of months.",
        f"Counted as recorded before {as_of.astimezone(LOCAL_TZ):%d %b %Y %H:%M} Thai time "
        "(the start of the current month, which is published when it ends)." if as_of else "",
        f"<{threshold}: from 0 to {threshold - 1} cases (none included).",
        f"{SECONDARY_LABEL}: {threshold} or more cases, hidden so that the small counts "
        "cannot be worked out from the totals of either table.")
    rule = tuple(line for line in rule if line)
    layout = (
        ("Cases registered in Passage by nationality, latest screening suggestion, latest "
         "determination and sex.",) if combinations else
        ("Cases registered in Passage, one row per nationality: by latest determination and "
         "their Total, then the same cases by sex (the sex columns add up to the Total).",))
    notes = (
        *layout, period, *rule,
        "none: no interview screened yet, or no determination recorded yet." if combinations
        else "No determination yet: no determination recorded yet.",
    ) + ((f"Withheld ({', '.join(withheld_months)}): too few cases to publish any count "
          "without disclosure.",) if withheld_months else ())
    detail = {"format": fmt.value, "labels": labels.value, "filters": filters.as_audit(),
              "threshold": threshold,
              "exact": exact, "period": {"from": str(period_from) if period_from else None,
                                         "to": str(period_to) if period_to else None},
              "as_of": as_of.isoformat() if as_of else None,
              "primary_suppressed": primary, "secondary_suppressed": secondary,
              "withheld": bool(withheld_months)}
    body = audited(_body(fmt, header, rows, sheet="Statistics", notes=notes),
                   rows=lambda: len(rows),
                   on_done=record_when_done(session, reader, actor=actor,
                                     action="export.statistics", detail=detail))
    headers = {"X-Passage-Suppressed-Primary": str(primary),
               "X-Passage-Suppressed-Secondary": str(secondary),
               "X-Passage-Exact": "1" if exact else "0",
               "X-Passage-Period": f"{period_from or ''}/{period_to or ''}"}
    if as_of is not None:
        headers["X-Passage-As-Of"] = as_of.isoformat()
    if withheld_months:
        headers["X-Passage-Withheld"] = ",".join(withheld_months)
    return _export(fmt, "statistics", body, headers=headers, rows=len(rows))


# --- CTDC -------------------------------------------------------------------------------

def _latest_screening_id():
    return latest_value(Screening, "id")


def _exploitation_country():
    """The country of the compound of the person's latest crossing from one."""
    c = aliased(Crossing)
    return (select(Compound.country_code).join(c, c.compound_id == Compound.id)
            .where(c.person_id == Case.person_id)
            .order_by(c.crossed_at.desc(), c.id.desc()).limit(1)
            .correlate(Case).scalar_subquery())


def _ctdc_sources(reader: Reader, filters: CaseDateFilters) -> Iterator[ctdc.CtdcSource]:
    statement = (
        select(Case.created_at, Person.sex, Person.date_of_birth, Person.age_estimate,
               Person.nationality_code, Screening.result, Screening.age_group,
               Case.latest_outcome, _exploitation_country(), Interview.recruited_on)
        .select_from(Case)
        .join(Person, Person.id == Case.person_id)
        .outerjoin(Screening, Screening.id == _latest_screening_id())
        .outerjoin(Interview, Interview.id == Screening.interview_id)
        .where(*_case_date_conditions(filters))
        .order_by(Case.id)
    )
    for (created_at, sex, born, estimate, nationality, result, age_group, outcome,
         country, recruited_on) in reader.stream(statement):
        yield ctdc.CtdcSource(
            registered_on=local_date(created_at), sex=sex,
            date_of_birth=born, age_estimate=estimate, nationality_code=nationality,
            screening=result, screening_age_group=age_group, outcome=outcome,
            exploitation_country=country, recruited_on=recruited_on)


def export_ctdc(session: Session, *, actor: Actor, filters: CaseDateFilters,
                k: int = ctdc.K) -> Export:
    """CTDC rows, k-anonymous. Every group's size must be known before the first row is
    published, so the rows are first spooled to an anonymous temporary file (one read of
    the database, so the counts and the rows agree), then sent from there."""
    if not can(actor, Permission.EXPORT_CTDC):
        raise PermissionDenied(action="export.ctdc", entity_type="report")
    asked = filters
    start, end = disclosure.whole_years(filters.date_from, filters.date_to)
    filters = filters.model_copy(update={"date_from": start, "date_to": end})
    spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")
    writer = csv.writer(spool)
    groups: Counter[ctdc.Key] = Counter()
    reader = Reader(session)
    try:
        for source in _ctdc_sources(reader, filters):
            row = ctdc.ctdc_row(source)
            groups[ctdc.quasi_key(row)] += 1
            writer.writerow(row)
    finally:
        reader.close()  # what streams from here on comes from the spool
    plan = ctdc.k_anonymise(groups, k)

    def published() -> Iterator[list[str]]:
        with spool:
            spool.seek(0)
            for row in csv.reader(spool):
                key = plan.apply(ctdc.quasi_key(row))
                if key is None:
                    continue
                row[ctdc.CITIZENSHIP_POSITION] = key[2]
                yield row

    counter = RowCounter(published())
    detail = {"format": "csv", "filters": asked.as_audit(), "period": filters.as_audit(),
              "k": k,
              "quasi_identifiers": list(ctdc.QUASI_IDENTIFIERS),
              "cases": sum(groups.values()), "generalised": plan.generalised,
              "suppressed": plan.suppressed}
    body = audited(csv_chunks(ctdc.HEADER, counter), rows=lambda: counter.count,
                   on_done=record_when_done(session, reader, actor=actor, action="export.ctdc",
                                     detail=detail))
    headers = {"X-Passage-Rows": str(plan.rows), "X-Passage-Generalised": str(plan.generalised),
               "X-Passage-Suppressed": str(plan.suppressed), "X-Passage-K": str(k),
               "X-Passage-Period": f"{filters.date_from or ''}/{filters.date_to or ''}"}
    return _export(ExportFormat.CSV, "ctdc", body, headers=headers, rows=plan.rows)

