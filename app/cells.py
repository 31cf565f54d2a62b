"""The one guard against formula injection, for every CSV and XLSX cell Passage writes
(reports, statistics, the audit log).

A spreadsheet runs a cell whose text starts like a formula. Attackers choose some of the text
that ends up in exports (a user name, a record's notes), so such a cell gets a leading
apostrophe and is shown as the text it is."""

# OWASP's list (=, +, -, @, tab, carriage return), a line feed, and the full-width forms
# (＝ ＋ － ＠) that some spreadsheet locales also read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
FORMULA_FIRST_CHARACTERS = frozenset(FORMULA_STARTS)


def neutralise(value: str) -> str:
    """The text with a leading apostrophe when it starts like a formula, else unchanged."""
    if value and value[0] in FORMULA_FIRST_CHARACTERS:
        return "'" + value
    return value
