"""The web fonts Passage serves for Thai, Burmese and Devanagari (scripts/build_fonts.py):
every font the stylesheet declares is served from app/static with a font content type, covers
the whole of its script's block, and is declared only for that script (unicode-range), so that
a page without the script downloads nothing. The source fonts and their licence sit beside
them."""

import io
import re

import pytest
from fontTools.ttLib import TTFont

from app.web import STATIC_DIR

FACE = re.compile(r"@font-face\s*\{(?P<body>[^}]*)\}")
# each script's main block, as assigned by Unicode 13 (the fonts' version): every code point
# assigned there must be in the font
BLOCKS = {
    "Passage Thai": [*range(0x0E01, 0x0E3B), *range(0x0E3F, 0x0E5C)],
    "Passage Myanmar": list(range(0x1000, 0x10A0)),
    "Passage Devanagari": list(range(0x0900, 0x0980)),
}
RANGES = {"Passage Thai": "U+0E00-0E7F",
          "Passage Myanmar": "U+1000-109F, U+A9E0-A9FF, U+AA60-AA7F",
          "Passage Devanagari": "U+0900-097F, U+A8E0-A8FF"}


def _faces() -> list[dict[str, str]]:
    css = (STATIC_DIR / "passage.css").read_text()
    faces = []
    for match in FACE.finditer(css):
        body = match["body"]
        faces.append({
            "family": re.search(r'font-family:\s*"([^"]+)"', body)[1],
            "weight": re.search(r"font-weight:\s*(\d+)", body)[1],
            "url": re.search(r'url\("([^"]+)"\)', body)[1],
            "range": re.search(r"unicode-range:\s*([^;]+);", body)[1].strip(),
        })
    return faces


def test_stylesheet_declares_a_regular_and_bold_face_for_each_script():
    faces = _faces()
    assert sorted((f["family"], f["weight"]) for f in faces) == sorted(
        (family, weight) for family in BLOCKS for weight in ("400", "700"))
    for face in faces:
        assert face["range"] == RANGES[face["family"]]
        assert face["url"].startswith("fonts/") and face["url"].endswith(".woff2")
    stack = re.search(r":root \{[^}]*font-family:([^;]+);", (STATIC_DIR / "passage.css")
                      .read_text())[1]
    assert stack.split(",")[:3] == [' "Passage Thai"', ' "Passage Myanmar"',
                                    ' "Passage Devanagari"']


@pytest.mark.parametrize("face", _faces(), ids=lambda f: f["url"])
def test_each_declared_font_is_served_and_covers_its_block(client, face):
    response = client.get(f"/static/{face['url']}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "font/woff2"
    assert response.content[:4] == b"wOF2"
    assert len(response.content) < 60_000  # a subset, not the whole font
    font = TTFont(io.BytesIO(response.content))
    cmap = font.getBestCmap()
    missing = [f"U+{cp:04X}" for cp in BLOCKS[face["family"]] if cp not in cmap]
    assert not missing
    # and nothing of the other scripts: the subset is the script's own
    others = [cp for family, block in BLOCKS.items() if family != face["family"]
              for cp in block]
    assert not [cp for cp in others if cp in cmap]
    assert font["OS/2"].usWeightClass == int(face["weight"])


def test_fonts_come_with_their_sources_and_licence(client):
    sources = (STATIC_DIR / "fonts" / "SOURCES.txt").read_text()
    for face in _faces():
        assert face["url"].removeprefix("fonts/") in sources
    assert "fonts-noto-core" in sources
    licence = (STATIC_DIR / "fonts" / "OFL.txt").read_text()
    assert "SIL Open Font License, Version 1.1" in licence
    assert "PERMISSION & CONDITIONS" in licence
    assert client.get("/static/fonts/OFL.txt").status_code == 200
