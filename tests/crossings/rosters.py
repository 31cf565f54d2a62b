"""Roster files for tests, from the demo's generator."""

import io

from app.demo.roster import ROSTER_COLUMNS, write_csv, write_xlsx


def csv_bytes(rows, *, bom: bool = True) -> bytes:
    out = io.BytesIO()
    write_csv(rows, out, bom=bom)
    return out.getvalue()


def xlsx_bytes(rows) -> bytes:
    out = io.BytesIO()
    write_xlsx(rows, out)
    return out.getvalue()


def text_csv(header: list[str], *lines: list[str]) -> bytes:
    """A hand-written CSV: header, then lines."""
    return "\r\n".join(",".join(cell for cell in line) for line in (header, *lines)).encode()


def row(**values) -> dict[str, str]:
    base = {"given_name": "Priya", "family_name": "Sharma", "sex": "female",
            "date_of_birth": "1998-03-14", "age_estimate": "", "nationality": "IN",
            "document_number": "", "crossed_at": "2025-10-22T09:15:00+07:00",
            "crossing_point": "Mae Sot Friendship Bridge 2", "compound": "KK Park"}
    base.update(values)
    return {c: base[c] for c in ROSTER_COLUMNS}


def upload(client, headers, content: bytes, *, name: str = "roster.csv", dry_run=False):
    kind = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if name.endswith(".xlsx") else "text/csv")
    url = "/api/v1/crossings/import" + ("?dry_run=true" if dry_run else "")
    return client.post(url, headers=headers, files={"file": (name, content, kind)})
