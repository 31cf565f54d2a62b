"""Names across scripts: a person's names as written in their own script, and in Latin letters.

The Latin forms are what a person's passport, a roster typed at a border post or another
organisation may use ("Zaw Min Tun" for "ဇော်မင်းထွန်း"). Passage proposes them by
transliteration (anyascii) when a name is not in Latin letters; a person checks the proposal
(anyascii spells Thai and Devanagari recognisably and Burmese poorly: "ဇော်မင်းထွန်း" comes out
"jeamnthvn"), so the proposal is only ever a suggestion in a form, never stored unless saved.
"""

import unicodedata

from anyascii import anyascii


def is_latin(text: str) -> bool:
    """Whether every letter of `text` is a Latin one (ASCII or accented)."""
    return all(not ch.isalpha() or ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")
               for ch in text)


def transliterate(text: str) -> str:
    """`text` in Latin letters (anyascii), words capitalised; empty when it is in Latin
    letters already (there is nothing to propose) or nothing comes out."""
    text = " ".join(text.split())
    if not text or is_latin(text):
        return ""
    words = anyascii(text).split()
    return " ".join(w[:1].upper() + w[1:] for w in words)[:200]


def propose(given_name: str, family_name: str) -> tuple[str, str]:
    """The proposed Latin forms of a person's names (empty for a name in Latin letters)."""
    return transliterate(given_name), transliterate(family_name)
