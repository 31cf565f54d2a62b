import csv
import io
import time
import unicodedata
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

import openpyxl
import pytest

from app.demo.names import (
    COUNTRY_NAMES,
    NAME_GROUP_WEIGHTS,
    NAME_GROUPS,
    NAMES,
    NATIONALITY_MIX,
    NATIVE_SCRIPT_NAMES,
)
from app.demo.roster import (
    COMPOUNDS,
    CROSSING_POINTS,
    ROSTER_COLUMNS,
    count_by_nationality,
    generate_roster,
    write_csv,
    write_xlsx,
)

START = datetime(2025, 10, 21, tzinfo=UTC)
THAI_TIME = timedelta(hours=7)


@pytest.fixture(scope="module")
def roster() -> list[dict[str, str]]:
    return generate_roster()


@pytest.fixture(scope="module")
def big_roster() -> list[dict[str, str]]:
    return generate_roster(size=20000)


def code_of(value: str) -> str:
    if len(value) == 2:
        return value
    return next(code for code, names in COUNTRY_NAMES.items()
                if value.casefold() in {n.casefold() for n in names})


def person_key(row: dict[str, str]) -> tuple[str, ...]:
    return (code_of(row["nationality"]), row["given_name"], row["family_name"],
            row["date_of_birth"], row["age_estimate"])


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- the name data ---------------------------------------------------------------------------

def test_nationality_mix_has_28_distinct_codes_summing_to_1500():
    codes = [code for code, _ in NATIONALITY_MIX]
    assert len(codes) == len(set(codes)) == 28
    assert sum(count for _, count in NATIONALITY_MIX) == 1500
    assert all(len(code) == 2 and code.isupper() for code in codes)
    counts = dict(NATIONALITY_MIX)
    assert counts["IN"] == 480 and counts["PH"] == 220 and counts["CN"] == 190
    assert [count for _, count in NATIONALITY_MIX] == sorted(counts.values(), reverse=True)


@pytest.mark.parametrize("code", [code for code, _ in NATIONALITY_MIX])
def test_names_have_at_least_15_distinct_of_each_kind(code):
    names = NAMES[code]
    for pool in (names.given_female, names.given_male, names.family):
        assert len(pool) >= 15
        assert len(set(pool)) == len(pool)
        assert all(name and name == name.strip() and "  " not in name for name in pool)
        assert all(unicodedata.is_normalized("NFC", name) for name in pool)
    if names.family_female:
        assert len(set(names.family_female)) == len(names.family_female) >= 15


def test_name_groups_have_one_weight_per_group():
    assert NAME_GROUP_WEIGHTS.keys() == NAME_GROUPS.keys()
    for code, groups in NAME_GROUPS.items():
        assert len(NAME_GROUP_WEIGHTS[code]) == len(groups)


@pytest.mark.parametrize(("code", "first", "last"), [
    ("TH", 0x0E00, 0x0E7F),   # Thai
    ("MM", 0x1000, 0x109F),   # Myanmar
    ("CN", 0x4E00, 0x9FFF),   # CJK unified ideographs
    ("IN", 0x0900, 0x097F),   # Devanagari
])
def test_native_script_names_are_written_in_their_script(code, first, last):
    names = NATIVE_SCRIPT_NAMES[code]
    pools = (names.given_female, names.given_male, names.family, names.family_female)
    for name in (name for pool in pools for name in pool):
        assert all(first <= ord(ch) <= last for ch in name), name


def test_every_country_name_resolves_to_its_code_in_the_app():
    service = pytest.importorskip("app.nationalities.service")
    for code, names in COUNTRY_NAMES.items():
        for name in names:
            assert service.resolve_nationality(name) == code
            assert service.resolve_nationality(name.upper()) == code


def test_compounds_have_the_compound_fields_and_include_kk_park():
    assert {c["name"] for c in COMPOUNDS} >= {"KK Park", "Shwe Kokko", "Tai Chang"}
    for compound in COMPOUNDS:
        assert set(compound) == {"name", "country_code", "region", "notes"}
        assert compound["country_code"] == "MM"
        assert len(compound["name"]) <= 200 and len(compound["notes"]) <= 2000


# --- the generator ---------------------------------------------------------------------------

def test_generate_roster_same_seed_gives_same_rows(roster):
    assert generate_roster() == roster
    assert generate_roster(size=300, seed="mae sot") == generate_roster(size=300, seed="mae sot")


def test_generate_roster_other_seed_gives_other_people(roster):
    other = generate_roster(seed=2026)
    assert other != roster
    assert count_by_nationality(other) == count_by_nationality(roster)


@pytest.mark.parametrize("size", [0, 1, 7, 1500, 4321])
def test_generate_roster_returns_requested_size(size):
    assert len(generate_roster(size=size)) == size


def test_generate_roster_rows_are_strings_keyed_by_roster_columns(roster):
    assert ROSTER_COLUMNS == ("given_name", "family_name", "sex", "date_of_birth",
                              "age_estimate", "nationality", "document_number", "crossed_at",
                              "crossing_point", "compound")
    for row in roster:
        assert tuple(row) == ROSTER_COLUMNS
        assert all(isinstance(value, str) for value in row.values())
        assert row["given_name"] and row["family_name"]
        assert row["sex"] in ("female", "male")
        assert row["crossing_point"] in CROSSING_POINTS
        assert row["compound"] in {c["name"] for c in COMPOUNDS}


def test_generate_roster_matches_the_mix_exactly_for_1500(roster):
    counts = Counter(code_of(row["nationality"]) for row in roster)
    assert dict(counts) == dict(NATIONALITY_MIX)
    assert len(counts) == 28


def test_generate_roster_scales_the_mix_for_20000(big_roster):
    counts = Counter(code_of(row["nationality"]) for row in big_roster)
    assert len(counts) == 28
    for code, count in NATIONALITY_MIX:
        assert abs(counts[code] - 20000 * count / 1500) < 1


def test_generate_roster_people_are_all_different(big_roster):
    keys = [person_key(row) for row in big_roster]
    assert len(set(keys)) == len(keys)


def test_document_numbers_are_unique_and_some_missing(big_roster):
    numbers = [row["document_number"] for row in big_roster if row["document_number"]]
    assert len(set(numbers)) == len(numbers)
    missing = 1 - len(numbers) / len(big_roster)
    assert 0.13 < missing < 0.17
    assert all(number.replace(" ", "").isalnum() and number.isascii() for number in numbers)


def test_about_70_percent_are_men(roster):
    men = sum(row["sex"] == "male" for row in roster) / len(roster)
    assert 0.67 < men < 0.73


def test_date_of_birth_or_age_estimate_mostly_19_to_40_with_a_few_minors(big_roster):
    ages = []
    for row in big_roster:
        crossed_on = datetime.fromisoformat(row["crossed_at"]).date()
        if row["date_of_birth"]:
            assert row["age_estimate"] == ""
            ages.append(age_on(date.fromisoformat(row["date_of_birth"]), crossed_on))
        else:
            assert row["age_estimate"].isdigit()
            ages.append(int(row["age_estimate"]))
    assert min(ages) == 16 and max(ages) <= 55
    assert sum(19 <= age <= 40 for age in ages) / len(ages) > 0.85
    assert 0.005 < sum(age < 18 for age in ages) / len(ages) < 0.02
    no_date = sum(not row["date_of_birth"] for row in big_roster) / len(big_roster)
    assert 0.02 < no_date < 0.04


def test_nationality_is_mostly_a_code_and_sometimes_an_english_name(big_roster):
    names = [row["nationality"] for row in big_roster if len(row["nationality"]) != 2]
    assert 0.08 < len(names) / len(big_roster) < 0.12
    assert {"Viet Nam", "Vietnam", "India", "Philippines"} <= set(names)
    assert any(name.isupper() for name in names)


def test_crossed_at_is_thai_time_within_the_days_mostly_early(roster):
    times = [datetime.fromisoformat(row["crossed_at"]) for row in roster]
    assert all(t.utcoffset() == THAI_TIME for t in times)
    assert all(START <= t < START + timedelta(days=14) for t in times)
    assert times == sorted(times)
    by_day = Counter((t - START).days for t in times)
    assert sum(by_day[day] for day in range(4)) > 0.5 * len(times)
    assert len(by_day) >= 10  # late arrivals keep coming


def test_generate_roster_honours_start_and_days():
    start = datetime(2025, 11, 1, 6, 30, tzinfo=timezone(THAI_TIME))
    times = [datetime.fromisoformat(row["crossed_at"])
             for row in generate_roster(size=500, start=start, days=2)]
    assert all(start <= t < start + timedelta(days=2) for t in times)


def test_most_people_come_from_kk_park_by_several_crossing_points(roster):
    compounds = Counter(row["compound"] for row in roster)
    assert compounds.most_common(1)[0][0] == "KK Park"
    assert compounds["KK Park"] / len(roster) > 0.7
    assert len(Counter(row["crossing_point"] for row in roster)) >= 5


def test_generate_roster_includes_native_script_names(roster):
    scripts = {unicodedata.name(row["given_name"][0]).split()[0] for row in roster}
    assert {"THAI", "MYANMAR", "CJK", "DEVANAGARI", "LATIN"} <= scripts


def test_generate_roster_accepts_another_mix():
    rows = generate_roster(size=10, mix=(("PH", 1), ("KE", 1)))
    assert count_by_nationality(rows) == {"KE": 5, "PH": 5}


@pytest.mark.parametrize("kwargs", [
    {"size": -1},
    {"days": 0},
    {"start": datetime(2025, 10, 21)},
    {"mix": (("XX", 1),)},
    {"mix": ()},
])
def test_generate_roster_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        generate_roster(**kwargs)


def test_generate_roster_20000_rows_is_fast():
    began = time.perf_counter()
    generate_roster(size=20000)
    # about 0.35 s here; the bound leaves room for a slow CI machine
    assert time.perf_counter() - began < 3


# --- files -----------------------------------------------------------------------------------

def test_write_csv_round_trips_through_csv_with_bom(tmp_path, roster):
    path = tmp_path / "roster.csv"
    write_csv(roster, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfgiven_name,family_name,")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == ROSTER_COLUMNS
        assert list(reader) == roster


def test_write_csv_without_bom_to_text_and_binary_streams(roster):
    text = io.StringIO(newline="")
    write_csv(roster[:50], text, bom=False)
    binary = io.BytesIO()
    write_csv(roster[:50], binary, bom=False)
    assert not binary.closed
    assert binary.getvalue().decode("utf-8") == text.getvalue()
    assert list(csv.DictReader(io.StringIO(text.getvalue(), newline=""))) == roster[:50]

    with_bom = io.BytesIO()
    write_csv(roster[:50], with_bom)
    assert with_bom.getvalue() == b"\xef\xbb\xbf" + binary.getvalue()


def test_write_xlsx_round_trips_through_openpyxl(tmp_path, roster):
    path = tmp_path / "roster.xlsx"
    write_xlsx(roster, path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        cells = list(workbook.active.iter_rows(values_only=True))
    finally:
        workbook.close()
    assert cells[0] == ROSTER_COLUMNS
    width = len(ROSTER_COLUMNS)
    read = [
        {column: "" if value is None else value
         for column, value in zip(ROSTER_COLUMNS, row + (None,) * (width - len(row)), strict=True)}
        for row in cells[1:]
    ]
    assert read == roster
    assert all(isinstance(value, str) for row in read for value in row.values())


def test_write_xlsx_to_a_stream_keeps_leading_zeros():
    rows = [dict.fromkeys(ROSTER_COLUMNS, "") | {"given_name": "Sita", "family_name": "Rai",
                                                 "nationality": "NP",
                                                 "document_number": "00123456"}]
    stream = io.BytesIO()
    write_xlsx(rows, stream)
    stream.seek(0)
    sheet = openpyxl.load_workbook(stream).active
    assert sheet["G2"].value == "00123456"
    assert sheet.max_row == 2


# --- counts ----------------------------------------------------------------------------------

def test_count_by_nationality_sums_to_the_number_of_people(roster, big_roster):
    assert sum(count_by_nationality(roster).values()) == len(roster)
    assert sum(count_by_nationality(big_roster).values()) == len(big_roster)


def test_count_by_nationality_is_largest_first(roster):
    counts = list(count_by_nationality(roster).values())
    assert counts == sorted(counts, reverse=True)


def test_count_by_nationality_counts_a_repeated_person_once(roster):
    first = next(row for row in roster if row["document_number"])
    undocumented = next(row for row in roster if not row["document_number"])
    repeated = roster + [
        first | {"nationality": COUNTRY_NAMES[code_of(first["nationality"])][0].upper(),
                 "document_number": f" {first['document_number'].lower()} "},
        undocumented | {"given_name": undocumented["given_name"].upper() + " "},
    ]
    assert count_by_nationality(repeated) == count_by_nationality(roster)


def test_count_by_nationality_maps_english_names_to_codes():
    rows = [
        {"given_name": "A", "family_name": "B", "nationality": "Viet Nam"},
        {"given_name": "C", "family_name": "D", "nationality": "vietnam"},
        {"given_name": "E", "family_name": "F", "nationality": "TÜRKIYE"},
        {"given_name": "G", "family_name": "H", "nationality": "Lao People's Democratic Republic"},
        {"given_name": "I", "family_name": "J", "nationality": "ph"},
    ]
    assert count_by_nationality(rows) == {"VN": 2, "LA": 1, "PH": 1, "TR": 1}


@pytest.mark.parametrize("value", ["Atlantis", "", "XX", "Filipino"])
def test_count_by_nationality_rejects_unknown_nationality_naming_the_row(value):
    rows = [{"given_name": "A", "nationality": "IN"}, {"given_name": "B", "nationality": value}]
    with pytest.raises(ValueError, match="row 3"):
        count_by_nationality(rows)
