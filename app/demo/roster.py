"""A seeded, synthetic crossing roster modelled on the KK Park exodus of October 2025.

`generate_roster` returns rows as a border post's spreadsheet holds them (every value a string,
keyed by ROSTER_COLUMNS, the roster header of DESIGN.md); `write_csv` and `write_xlsx` save
them in the two formats `POST /api/v1/crossings/import` accepts. Pure: no database, no clock,
no global random state; the same arguments always give the same rows.

Every person is invented. Document numbers only look like passports of the right country.
"""

import csv
import io
import math
import os
import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import IO, Any

from app.demo.names import (
    COUNTRY_NAMES,
    NAME_GROUP_WEIGHTS,
    NAME_GROUPS,
    NAMES,
    NATIONALITY_MIX,
    NATIVE_SCRIPT_NAMES,
    NameSet,
)

ROSTER_COLUMNS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "age_estimate",
    "nationality",
    "document_number",
    "crossed_at",
    "crossing_point",
    "compound",
)

# The two bridges between Mae Sot and Myawaddy, and river landings in Tak province across from
# the compounds, where people waded or were ferried over the Moei.
CROSSING_POINTS: tuple[str, ...] = (
    "Mae Sot Friendship Bridge 2",
    "Mae Sot Friendship Bridge 1",
    "Ban Mae Ku Mai Tha Sung, Mae Sot",
    "Tha Sai Luat, Mae Sot",
    "Ban Wang Pha, Mae Ramat",
    "Ban Tha Hin Si, Mae Ramat",
    "Ban Huai Nam Nak, Phop Phra",
)

_KAYIN = "Myawaddy Township, Kayin State"

# Keys are exactly the compound fields of DESIGN.md: `Compound(**data)` must accept them.
COMPOUNDS: tuple[dict[str, str], ...] = (
    {
        "name": "KK Park",
        "country_code": "MM",
        "region": _KAYIN,
        "notes": "On the Moei River south of Myawaddy, across from Ban Mae Ku Mai Tha Sung "
                 "(Mae Sot). Built from 2020; raided from 20 October 2025, after which more "
                 "than 1,500 people of 28 nationalities crossed into Mae Sot within weeks.",
    },
    {
        "name": "Shwe Kokko",
        "country_code": "MM",
        "region": _KAYIN,
        "notes": "Also called Yatai New City. North of Myawaddy, across from Ban Wang Pha "
                 "(Mae Ramat).",
    },
    {
        "name": "Tai Chang",
        "country_code": "MM",
        "region": _KAYIN,
        "notes": "Also written Taizhang. South of Myawaddy, across from Ban Huai Nam Nak "
                 "(Phop Phra).",
    },
    {
        "name": "Dongmei Park",
        "country_code": "MM",
        "region": _KAYIN,
        "notes": "Also called the Dongmei zone. Near Myawaddy.",
    },
    {
        "name": "Yulong Bay",
        "country_code": "MM",
        "region": _KAYIN,
        "notes": "Also called Shwe Padauk Myaing. Near Thae Pone village.",
    },
    {
        "name": "Apollo Park",
        "country_code": "MM",
        "region": _KAYIN,
        "notes": "Near Myawaddy.",
    },
    {
        "name": "Shunda Park",
        "country_code": "MM",
        "region": _KAYIN,
        "notes": "At Min Let Pan village, south of Myawaddy.",
    },
)

THAI_TIME = timezone(timedelta(hours=7), "ICT")

_BRIDGE_2, _BRIDGE_1, _MAE_KU, _THA_SAI_LUAT, _WANG_PHA, _THA_HIN_SI, _HUAI_NAM_NAK = (
    CROSSING_POINTS
)
# compound: (share of people, {crossing point: share of that compound's people})
_ROUTES: dict[str, tuple[int, dict[str, int]]] = {
    "KK Park": (82, {_BRIDGE_2: 45, _MAE_KU: 35, _BRIDGE_1: 10, _THA_SAI_LUAT: 10}),
    "Shwe Kokko": (6, {_WANG_PHA: 50, _THA_HIN_SI: 30, _BRIDGE_1: 20}),
    "Tai Chang": (5, {_HUAI_NAM_NAK: 70, _BRIDGE_2: 30}),
    "Dongmei Park": (2, {_BRIDGE_1: 40, _BRIDGE_2: 40, _THA_SAI_LUAT: 20}),
    "Yulong Bay": (2, {_BRIDGE_1: 40, _BRIDGE_2: 40, _THA_SAI_LUAT: 20}),
    "Apollo Park": (2, {_BRIDGE_1: 40, _BRIDGE_2: 40, _THA_SAI_LUAT: 20}),
    "Shunda Park": (1, {_HUAI_NAM_NAK: 50, _BRIDGE_2: 50}),
}

# Share of women per nationality: many more among Filipinos, Thais and Lao, very few among
# Chinese, Pakistanis and Bangladeshis, as in the Tak counts; about 30 % of the whole roster.
_FEMALE_SHARE: dict[str, float] = {
    "IN": 0.20, "PH": 0.55, "CN": 0.15, "VN": 0.35, "ET": 0.30, "KE": 0.35, "PK": 0.05,
    "ID": 0.45, "NP": 0.25, "LK": 0.30, "TH": 0.55, "LA": 0.55, "BD": 0.10, "MM": 0.50,
    "GH": 0.35, "NG": 0.30, "UG": 0.45, "UA": 0.40, "KH": 0.50, "ZA": 0.35, "TZ": 0.40,
    "MY": 0.35, "RW": 0.40, "BI": 0.35, "BR": 0.30, "RU": 0.35, "TR": 0.15, "EG": 0.10,
}
_DEFAULT_FEMALE_SHARE = 0.30

# Share of a nationality's rows written in its own script.
_NATIVE_SCRIPT_SHARE: dict[str, float] = {"TH": 0.40, "MM": 0.40, "CN": 0.15, "IN": 0.03}

_NO_DATE_OF_BIRTH_SHARE = 0.03
_NO_DOCUMENT_SHARE = 0.15  # passports held by the compound and never returned
_COUNTRY_NAME_SHARE = 0.10  # "India" instead of "IN"
_UPPER_CASE_NAME_SHARE = 0.20  # of those: "INDIA"

# Age on the day of crossing: mostly 19-40, a few 16-17 year-olds, a few over 40.
_AGE_WEIGHTS: dict[int, int] = {
    16: 3, 17: 6, 18: 15, 19: 30, 20: 45, 21: 55, 22: 60, 23: 62, 24: 62, 25: 60, 26: 58,
    27: 55, 28: 52, 29: 48, 30: 45, 31: 40, 32: 36, 33: 32, 34: 28, 35: 24, 36: 20, 37: 17,
    38: 14, 39: 12, 40: 10, 41: 6, 42: 5, 43: 4, 44: 4, 45: 3,
    **{age: 2 for age in range(46, 56)},
}

# People crossed in groups (a boat, a truck, an embassy hand-over), mostly small ones.
_GROUP_SIZE_WEIGHTS: dict[int, float] = {
    1: 20, 2: 12, 3: 10, 4: 8, 5: 7,
    **{n: 5 for n in range(6, 11)},
    **{n: 2 for n in range(11, 21)},
    **{n: 0.5 for n in range(21, 41)},
}
_GROUP_SPREAD_MINUTES = 15  # a group's members are logged within this many minutes
_MIXED_GROUP_SHARE = 0.3  # chance that a person is swapped into another nationality's group

# Local (Thai) hour of day: the bridges process people in daytime; the river is crossed at
# any hour.
_HOUR_WEIGHTS: tuple[float, ...] = (
    0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0,
    1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7, 0.5, 0.4, 0.3,
)

# Passport-like numbers: "#" a digit, "@" a letter (no I or O), anything else as written.
_DOCUMENT_FORMATS: dict[str, str] = {
    "IN": "@#######", "PH": "P#######@", "CN": "E########", "VN": "C#######",
    "ET": "EP#######", "KE": "AK#######", "PK": "@@#######", "ID": "@#######",
    "NP": "########", "LK": "N#######", "TH": "A@#######", "LA": "P#######",
    "BD": "A########", "MM": "M@######", "GH": "G#######", "NG": "B########",
    "UG": "A########", "UA": "F@######", "KH": "N########", "ZA": "A########",
    "TZ": "AB######", "MY": "A########", "RW": "PC######", "BI": "OP######",
    "BR": "@@######", "RU": "## #######", "TR": "U########", "EG": "A########",
}
_DEFAULT_DOCUMENT_FORMAT = "@@#######"
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _document_parts(pattern: str) -> tuple[tuple[str, Any], ...]:
    """"EP#######" -> (("", "EP"), ("#", 7)): runs of digits, of letters and of literals."""
    parts: list[tuple[str, Any]] = []
    for ch in pattern:
        kind = ch if ch in "#@" else ""
        if parts and parts[-1][0] == kind:
            previous = parts[-1][1]
            parts[-1] = (kind, previous + ch if kind == "" else previous + 1)
        else:
            parts.append((kind, ch if kind == "" else 1))
    return tuple(parts)


_DOCUMENT_PARTS = {
    code: _document_parts(pattern)
    for code, pattern in {"": _DEFAULT_DOCUMENT_FORMAT, **_DOCUMENT_FORMATS}.items()
}

_CODE_BY_NAME: dict[str, str] = {
    name.casefold(): code for code, names in COUNTRY_NAMES.items() for name in names
}


def _pick(rng: random.Random, items: Sequence[Any], cum_weights: Sequence[float]) -> Any:
    """rng.choices(items, cum_weights=...)[0], without its overhead."""
    return items[bisect_right(cum_weights, rng.random() * cum_weights[-1])]


def _cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


_AGES = tuple(_AGE_WEIGHTS)
_AGE_CUM = _cumulative(_AGE_WEIGHTS.values())
_GROUP_SIZES = tuple(_GROUP_SIZE_WEIGHTS)
_GROUP_SIZE_CUM = _cumulative(_GROUP_SIZE_WEIGHTS.values())
_COMPOUND_NAMES = tuple(_ROUTES)
_COMPOUND_CUM = _cumulative(share for share, _ in _ROUTES.values())
_POINTS_BY_COMPOUND = {
    name: (tuple(points), _cumulative(points.values())) for name, (_, points) in _ROUTES.items()
}


def generate_roster(
    *,
    size: int = 1500,
    seed: int | str = 2025,
    start: datetime = datetime(2025, 10, 21, tzinfo=UTC),
    days: int = 14,
    mix: Sequence[tuple[str, int]] = NATIONALITY_MIX,
) -> list[dict[str, str]]:
    """`size` invented people crossing over `days` days from `start`, sorted by crossing time.

    Nationalities follow `mix` in proportion (exactly, for 1,500 people and the default mix);
    every row is a different person (name, date of birth or age estimate, nationality) and
    every document number is unique.
    """
    if size < 0:
        raise ValueError("size must not be negative")
    if days < 1:
        raise ValueError("days must be at least 1")
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    rng = random.Random(seed)
    people = _nationalities_and_sexes(rng, size, mix)
    _mix_groups(rng, people)

    slot_cum = _slot_weights(start, days)
    last_minute = days * 24 * 60 - _GROUP_SPREAD_MINUTES
    seen_people: set[tuple[str, ...]] = set()
    seen_documents: set[str] = set()
    entries: list[tuple[datetime, int, dict[str, str]]] = []
    index = 0
    while index < len(people):
        group_size = _pick(rng, _GROUP_SIZES, _GROUP_SIZE_CUM)
        members = people[index:index + group_size]
        index += group_size
        slot = bisect_right(slot_cum, rng.random() * slot_cum[-1])
        minute = min(slot * 60 + rng.randrange(60), last_minute)
        compound = _pick(rng, _COMPOUND_NAMES, _COMPOUND_CUM)
        points, point_cum = _POINTS_BY_COMPOUND[compound]
        crossing_point = _pick(rng, points, point_cum)
        for code, sex in members:
            crossed_at = (start + timedelta(minutes=minute + rng.randrange(_GROUP_SPREAD_MINUTES))
                          ).astimezone(THAI_TIME)
            row = _person(rng, code, sex, crossed_at.date(), seen_people)
            row["nationality"] = _nationality(rng, code)
            row["document_number"] = (
                "" if rng.random() < _NO_DOCUMENT_SHARE else _document(rng, code, seen_documents)
            )
            row["crossed_at"] = crossed_at.isoformat()
            row["crossing_point"] = crossing_point
            row["compound"] = compound
            entries.append((crossed_at, len(entries), row))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [{column: row[column] for column in ROSTER_COLUMNS} for _, _, row in entries]


def _apportion(size: int, mix: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Largest-remainder shares of `size` in proportion to the weights of `mix`."""
    total = sum(weight for _, weight in mix)
    if not mix or total <= 0 or any(not isinstance(w, int) or w < 0 for _, w in mix):
        raise ValueError("mix needs non-negative weights with a positive sum")
    unknown = [code for code, _ in mix if code not in NAMES]
    if unknown:
        raise ValueError(f"no demo names for nationalities: {', '.join(unknown)}")
    floors = [(code, size * weight // total) for code, weight in mix]
    remainders = sorted(range(len(mix)), key=lambda i: -(size * mix[i][1] % total))
    extra = set(remainders[:size - sum(count for _, count in floors)])
    return [(code, count + (i in extra)) for i, (code, count) in enumerate(floors)]


def _nationalities_and_sexes(
    rng: random.Random, size: int, mix: Sequence[tuple[str, int]]
) -> list[tuple[str, str]]:
    people: list[tuple[str, str]] = []
    for code, count in _apportion(size, mix):
        women = round(count * _FEMALE_SHARE.get(code, _DEFAULT_FEMALE_SHARE))
        sexes = ["female"] * women + ["male"] * (count - women)
        rng.shuffle(sexes)
        people.extend((code, sex) for sex in sexes)
    return people


def _mix_groups(rng: random.Random, people: list[tuple[str, str]]) -> None:
    """People sit by nationality, so groups cut from the list are mostly of one nationality;
    swapping some at random makes the rest mixed, as groups fleeing one building were."""
    for i in range(len(people)):
        if rng.random() < _MIXED_GROUP_SHARE:
            j = rng.randrange(len(people))
            people[i], people[j] = people[j], people[i]


def _slot_weights(start: datetime, days: int) -> list[float]:
    """Cumulative weights of each hour from `start`: most on the first days, fewer at night."""
    weights = []
    for hour in range(days * 24):
        day = hour // 24
        # rises to a peak on the second day and decays, with a tail of late arrivals
        day_weight = (day + 1) * math.exp(-day / 1.6) + 0.1
        local_hour = (start + timedelta(hours=hour)).astimezone(THAI_TIME).hour
        weights.append(day_weight * _HOUR_WEIGHTS[local_hour])
    return _cumulative(weights)


def _name_set(rng: random.Random, code: str) -> NameSet:
    native = NATIVE_SCRIPT_NAMES.get(code)
    if native is not None and rng.random() < _NATIVE_SCRIPT_SHARE.get(code, 0.0):
        return native
    groups = NAME_GROUPS.get(code)
    if groups:
        return rng.choices(groups, weights=NAME_GROUP_WEIGHTS.get(code))[0]
    return NAMES[code]


def _person(
    rng: random.Random, code: str, sex: str, crossed_on: date, seen: set[tuple[str, ...]]
) -> dict[str, str]:
    for _ in range(1000):
        names = _name_set(rng, code)
        if sex == "female":
            given = rng.choice(names.given_female)
            family = rng.choice(names.family_female or names.family)
        else:
            given = rng.choice(names.given_male)
            family = rng.choice(names.family)
        age = _pick(rng, _AGES, _AGE_CUM)
        if rng.random() < _NO_DATE_OF_BIRTH_SHARE:
            date_of_birth, age_estimate = "", str(age)
        else:
            date_of_birth, age_estimate = _birth_date(rng, crossed_on, age).isoformat(), ""
        key = (code, given, family, date_of_birth, age_estimate)
        if key not in seen:
            seen.add(key)
            return {
                "given_name": given,
                "family_name": family,
                "sex": sex,
                "date_of_birth": date_of_birth,
                "age_estimate": age_estimate,
            }
    raise RuntimeError(f"too few demo names for {code} to keep every person different")


def _birth_date(rng: random.Random, on: date, age: int) -> date:
    """A date of birth of someone who is `age` years old on `on`."""
    latest = _years_before(on, age)
    earliest = _years_before(on, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _nationality(rng: random.Random, code: str) -> str:
    if rng.random() >= _COUNTRY_NAME_SHARE:
        return code
    name = rng.choice(COUNTRY_NAMES[code])
    return name.upper() if rng.random() < _UPPER_CASE_NAME_SHARE else name


def _document(rng: random.Random, code: str, seen: set[str]) -> str:
    parts = _DOCUMENT_PARTS.get(code) or _DOCUMENT_PARTS[""]
    while True:
        number = "".join(
            f"{rng.randrange(10 ** arg):0{arg}d}" if kind == "#"
            else "".join(rng.choice(_LETTERS) for _ in range(arg)) if kind == "@"
            else arg
            for kind, arg in parts
        )
        if number not in seen:
            seen.add(number)
            return number


def write_csv(
    rows: Iterable[Mapping[str, str]],
    path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes],
    *,
    bom: bool = True,
) -> None:
    """Write `rows` as UTF-8 CSV with the ROSTER_COLUMNS header.

    The byte order mark (default) makes Excel read Thai, Burmese and Chinese names correctly.
    Accepts a path, a text stream or a binary stream.
    """
    encoding = "utf-8-sig" if bom else "utf-8"
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, "w", encoding=encoding, newline="") as f:
            _write_csv_rows(f, rows)
    elif _is_binary(path_or_file):
        text = io.TextIOWrapper(path_or_file, encoding=encoding, newline="")
        try:
            _write_csv_rows(text, rows)
            text.flush()
        finally:
            text.detach()  # leave the caller's stream open
    else:
        if bom:
            path_or_file.write("\ufeff")
        _write_csv_rows(path_or_file, rows)


def _is_binary(stream: object) -> bool:
    return isinstance(stream, io.RawIOBase | io.BufferedIOBase) or "b" in getattr(
        stream, "mode", ""
    )


def _write_csv_rows(f: IO[str], rows: Iterable[Mapping[str, str]]) -> None:
    writer = csv.DictWriter(f, fieldnames=ROSTER_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)


def write_xlsx(rows: Iterable[Mapping[str, str]], path: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write `rows` to one worksheet, "Roster", with the ROSTER_COLUMNS header in row 1.

    Every cell is text, as typed into a spreadsheet: document numbers keep their leading
    zeros and nothing is turned into a number, date or formula.
    """
    import xlsxwriter

    to_file = isinstance(path, str | os.PathLike)
    workbook = xlsxwriter.Workbook(
        os.fspath(path) if to_file else path,
        {
            # constant memory streams rows to disk; a stream target needs in-memory mode
            "constant_memory": to_file,
            "in_memory": not to_file,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    try:
        sheet = workbook.add_worksheet("Roster")
        header = workbook.add_format({"bold": True})
        sheet.freeze_panes(1, 0)
        for col, column in enumerate(ROSTER_COLUMNS):
            sheet.set_column(col, col, 32 if column in ("crossing_point", "crossed_at") else 18)
            sheet.write_string(0, col, column, header)
        last_row = 0
        for last_row, row in enumerate(rows, start=1):
            for col, column in enumerate(ROSTER_COLUMNS):
                value = row.get(column, "")
                if value:
                    sheet.write_string(last_row, col, value)
        sheet.autofilter(0, 0, last_row, len(ROSTER_COLUMNS) - 1)
    finally:
        workbook.close()


def count_by_nationality(rows: Iterable[Mapping[str, str]]) -> dict[str, int]:
    """Distinct people per alpha-2 code, largest first.

    The nationality may be a code or one of the English names this module writes; a person is
    the same document number, or without one the same names and date of birth (or age
    estimate), so a row repeated in a roster counts once. Raises ValueError naming the
    spreadsheet row (header = row 1) of a nationality it does not know.
    """
    seen: set[tuple[str, ...]] = set()
    counts: Counter[str] = Counter()
    for number, row in enumerate(rows, start=2):
        value = (row.get("nationality") or "").strip()
        code = _nationality_code(value)
        if code is None:
            raise ValueError(f"row {number}: unknown nationality {value!r}")
        document = "".join((row.get("document_number") or "").split()).upper()
        if document:
            key: tuple[str, ...] = (code, "document", document)
        else:
            key = (
                code,
                " ".join((row.get("given_name") or "").split()).casefold(),
                " ".join((row.get("family_name") or "").split()).casefold(),
                (row.get("date_of_birth") or "").strip(),
                (row.get("age_estimate") or "").strip(),
            )
        if key not in seen:
            seen.add(key)
            counts[code] += 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _nationality_code(value: str) -> str | None:
    if len(value) == 2 and value.isascii() and value.isalpha():
        code = value.upper()
        return code if code in COUNTRY_NAMES or code in NAMES else None
    return _CODE_BY_NAME.get(" ".join(value.split()).casefold())
