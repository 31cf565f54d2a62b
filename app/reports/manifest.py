"""The embassy manifest of a repatriation batch, as XLSX and as PDF (the letters' Noto fonts
and HarfBuzz shaping, so Thai, Burmese, Chinese and Devanagari names print as written).

Only the people who agreed to share their details with the embassy are named; the others are
counted as withheld. Nothing of the interview, the screening or the determination. The people
held back by the safeguard are on no list at all (app.repatriation.service.members_of)."""

import io
import logging
from enum import StrEnum

from sqlmodel import Session

from app import audit
from app.audit.service import Actor
from app.clock import local_today
from app.labels import BATCH_MODE_LABELS, SEX_LABELS
from app.repatriation.batches import Manifest, manifest_of
from app.reports.letters import LATIN, LATIN_BOLD, LetterPage
from app.reports.writers import write_xlsx
from app.web import format_date


class ManifestFormat(StrEnum):
    XLSX = "xlsx"
    PDF = "pdf"


HEADER = ("No.", "Given name (as written)", "Family name (as written)",
          "Name in Latin letters", "Sex", "Date of birth or age", "Travel document",
          "Place of origin", "Contact phone")
# the PDF's columns: widths in mm on a landscape A4 page (277 mm between the margins)
WIDTHS = (10, 38, 38, 44, 16, 26, 50, 30, 25)

WITHHELD_NOTE = ("{n} more people on this batch did not agree to share their details with "
                 "the embassy: they are not named here. Ask the organisation holding their "
                 "case.")


def _born(row) -> str:
    if row.date_of_birth:
        return format_date(row.date_of_birth)
    if row.age_estimate is not None:
        return f"About {row.age_estimate}"
    return ""


def _cells(manifest: Manifest) -> list[list[str | int]]:
    return [[number, row.given_name, row.family_name, row.name_latin,
             SEX_LABELS.get(row.sex, row.sex), _born(row), row.document, row.place_of_origin,
             row.phone] for number, row in enumerate(manifest.rows, start=1)]


def _about(manifest: Manifest) -> list[str]:
    batch = manifest.batch
    lines = [f"Repatriation batch: {batch.name}",
             f"Nationality: {manifest.nationality} ({batch.nationality_code})",
             f"Departs on: {format_date(batch.departs_on)}",
             f"By: {BATCH_MODE_LABELS.get(batch.mode, batch.mode)}"
             + (f", {batch.carrier_reference}" if batch.carrier_reference else ""),
             f"Named on this manifest: {len(manifest.rows)}",
             f"Withheld: {manifest.withheld}"]
    if manifest.withheld:
        lines.append(WITHHELD_NOTE.format(n=manifest.withheld))
    lines.append(f"Made with Passage on {format_date(local_today())}. Confidential: for the "
                 "consular officers of the returns only.")
    return lines


def manifest_xlsx(manifest: Manifest) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, HEADER, _cells(manifest), sheet="Manifest", notes=_about(manifest))
    return out.getvalue()


class ManifestPage(LetterPage):
    def __init__(self):
        super().__init__()
        self.set_margins(10, 12, 10)

    def cell_runs(self, x: float, y: float, width: float, text: str, *, size: float = 8,
                  bold: bool = False) -> float:
        """Text in a column from (x, y), wrapped inside it; the y it ends at."""
        self.set_left_margin(x)
        self.set_right_margin(self.w - x - width + 1)
        self.set_xy(x, y)
        self.text_runs(text, size=size, height=4, bold=bold)
        end = self.get_y() + 4
        self.set_left_margin(10)
        self.set_right_margin(10)
        return end

    def table_header(self) -> float:
        y = self.get_y()
        x = 10.0
        ends = []
        for title, width in zip(HEADER, WIDTHS, strict=True):
            ends.append(self.cell_runs(x, y, width - 1, title, bold=True))
            x += width
        end = max(ends) + 1
        self.line(10, end - 0.5, self.w - 10, end - 0.5)
        self.set_y(end)
        return end


def manifest_pdf(manifest: Manifest) -> bytes:
    logging.getLogger("fpdf").setLevel(logging.ERROR)  # its warnings may quote names
    pdf = ManifestPage()
    pdf.set_title(f"Manifest: {manifest.batch.name}")
    pdf.set_creator("Passage")
    pdf.add_page(orientation="L")
    pdf.use(LATIN_BOLD, 15)
    pdf.cell(0, 8, "Repatriation manifest", new_x="LMARGIN", new_y="NEXT")
    for line in _about(manifest):
        pdf.use(LATIN, 9)
        pdf.set_x(10)
        pdf.text_runs(line, size=9, height=5)
        pdf.ln(5)
    pdf.ln(2)
    pdf.table_header()
    for cells in _cells(manifest):
        y = pdf.get_y()
        if y > pdf.h - 25:
            pdf.add_page(orientation="L")
            y = pdf.table_header()
        x = 10.0
        ends = []
        for value, width in zip(cells, WIDTHS, strict=True):
            ends.append(pdf.cell_runs(x, y, width - 1, str(value)))
            x += width
        pdf.set_y(max(ends) + 1)
    return bytes(pdf.output())


def manifest_file(session: Session, *, actor: Actor, batch_id: int,
                  fmt: ManifestFormat) -> tuple[bytes, str]:
    """The file and its name; every download audited (counts, never names)."""
    manifest = manifest_of(session, actor=actor, batch_id=batch_id)
    content = manifest_pdf(manifest) if fmt is ManifestFormat.PDF else manifest_xlsx(manifest)
    audit.record(session, actor=actor, action="repatriation_batch.manifest",
                 entity_type="repatriation_batch", entity_id=batch_id,
                 detail={"format": fmt.value, "named": len(manifest.rows),
                         "withheld": manifest.withheld})
    return content, f"manifest-batch-{batch_id}.{fmt.value}"
