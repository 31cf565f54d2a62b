"""People: registration, search and scope."""

import unicodedata


def name_key(given_name: str, family_name: str) -> str:
    """Lower-case, accent-free, single-spaced "given family": what searches compare."""
    text = f"{given_name} {family_name}"
    decomposed = unicodedata.normalize("NFKD", text)
    # strip combining accents of Latin letters only; other scripts keep their marks
    stripped = "".join(ch for ch in decomposed if not (unicodedata.combining(ch) and ch < "\u0370"))
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())
