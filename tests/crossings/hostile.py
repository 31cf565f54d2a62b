"""Hostile and damaged roster files, written part by part as raw XML so that each one is
exactly the trap it names (nothing of this is committed as a binary)."""

import io
import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

from app.demo.roster import ROSTER_COLUMNS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
GOOD_ROW = ("Priya", "Sharma", "female", "1998-03-14", "", "IN", "",
            "2025-10-22T09:15:00+07:00", "Mae Sot Friendship Bridge 2", "")

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{RELS}"><Relationship Id="rId1"
 Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>
<sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{DOC_RELS}/styles" Target="styles.xml"/>
</Relationships>"""
# style 1 shows a number as a date and time, as a spreadsheet does for a typed date
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164"
 formatCode="yyyy-mm-dd hh:mm"/></numFmts><cellXfs count="2"><xf numFmtId="0"/>
<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"""
SHEET_START = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}"><dimension ref="{{dimension}}"/><sheetData>"""
SHEET_END = "</sheetData></worksheet>"


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def inline_row(number: int, values: Iterable[str], *, raw: dict[int, str] | None = None) -> str:
    """A row of inline strings; `raw` puts a cell's XML as given at that column (from 1)."""
    cells = []
    for index, value in enumerate(values, start=1):
        ref = f"{column_letter(index)}{number}"
        if raw and index in raw:
            cells.append(raw[index].format(ref=ref))
        elif value:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def workbook(sheet_rows: Iterable[str], *, dimension: str = "A1:J2",
             shared_strings: Iterable[str] = ("<sst xmlns=\"" + MAIN + "\"/>",),
             level: int = 6) -> bytes:
    """An XLSX whose sheet is the given <row> elements and whose shared strings part is the
    given chunks of XML, both streamed into the zip (neither is held whole in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                           ("xl/styles.xml", STYLES)):
            archive.writestr(name, text)
        _stream(archive, "xl/worksheets/sheet1.xml",
                [SHEET_START.format(dimension=dimension), *sheet_rows, SHEET_END])
        _stream(archive, "xl/sharedStrings.xml", shared_strings)
    return out.getvalue()


def _stream(archive: zipfile.ZipFile, name: str, chunks: Iterable[str]) -> None:
    with archive.open(name, "w", force_zip64=True) as part:
        buffer: list[str] = []
        size = 0
        for chunk in chunks:
            buffer.append(chunk)
            size += len(chunk)
            if size > 1 << 20:
                part.write("".join(buffer).encode())
                buffer, size = [], 0
        part.write("".join(buffer).encode())


def roster_workbook(*rows: str) -> bytes:
    """A small roster: the header, then the given <row> elements."""
    return workbook([inline_row(1, ROSTER_COLUMNS), *rows])


def shared_strings_bomb(megabytes: int = 187) -> bytes:
    """A small XLSX whose shared strings part inflates to `megabytes` MB of tiny strings."""
    item = "<si><t>x</t></si>"
    block = item * ((1 << 20) // len(item))
    return workbook([inline_row(1, ROSTER_COLUMNS), inline_row(2, GOOD_ROW)],
                    shared_strings=[f'<sst xmlns="{MAIN}">', *[block] * megabytes, "</sst>"],
                    level=9)


def million_empty_rows(rows: int = 1_000_000, *, then: str = "") -> bytes:
    """An XLSX declaring `rows` empty rows over A1:XFD(rows+1), then `then`."""
    last = rows + 1
    empty = (f'<row r="{n}" spans="1:16384"/>' for n in range(2, last + 1))
    return workbook([inline_row(1, ROSTER_COLUMNS), *empty, then],
                    dimension=f"A1:XFD{last}")


def with_declared_size(content: bytes, part: str, size: int) -> bytes:
    """The zip with `part` declaring an uncompressed size it does not have (central directory
    and local header both say `size`)."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(part)
    # local header: uncompressed size at offset 22; zip64 extra keeps the real one
    local = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, local + 26)
    extra = local + 30 + name_length
    _patch_size(data, local + 22, extra, extra_length, size)
    offset = 0
    while (central := data.find(b"PK\x01\x02", offset)) != -1:
        name_length, extra_length = struct.unpack_from("<HH", data, central + 28)
        name = bytes(data[central + 46:central + 46 + name_length]).decode()
        if name == part:
            _patch_size(data, central + 24, central + 46 + name_length, extra_length, size)
            break
        offset = central + 4
    return bytes(data)


def _patch_size(data: bytearray, at: int, extra: int, extra_length: int, size: int) -> None:
    if struct.unpack_from("<I", data, at)[0] == 0xFFFFFFFF:  # zip64: the size is in the extra
        end = extra + extra_length
        while extra < end:
            tag, length = struct.unpack_from("<HH", data, extra)
            if tag == 1:
                struct.pack_into("<Q", data, extra + 4, size)
                return
            extra += 4 + length
    struct.pack_into("<I", data, at, size)


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path
