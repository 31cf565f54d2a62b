"""Build the web fonts Passage serves (app/static/fonts): Noto Sans Thai, Myanmar and
Devanagari from Debian's fonts-noto-core, cut down with fontTools to their script's blocks and
basic punctuation, as woff2. A borrowed laptop without those fonts then renders Thai, Burmese
and Devanagari names and words; app/static/passage.css declares each with a unicode-range,
so that a browser downloads only the fonts a page's text needs.

    .venv/bin/python scripts/build_fonts.py        # writes app/static/fonts/*.woff2, SOURCES

Needs fonttools and brotli (the test extras); run again when Debian's fonts change, and commit
the files. Not run by the tests (they check the committed files).
"""

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "app" / "static" / "fonts"
NOTO = Path("/usr/share/fonts/truetype/noto")
COPYRIGHT = Path("/usr/share/doc/fonts-noto-core/copyright")

# the script's own blocks: these are also each face's unicode-range in passage.css
BLOCKS = {
    "thai": ["U+0E00-0E7F"],
    "myanmar": ["U+1000-109F", "U+A9E0-A9FF", "U+AA60-AA7F"],
    "devanagari": ["U+0900-097F", "U+A8E0-A8FF"],
}
# kept in each subset so that text shaped within the script's run has what it needs:
# ASCII punctuation and digits, no-break space, dashes and quotes, the joiners, the dotted
# circle a shaper shows under a mark with no base
EXTRA = ["U+0020-0040", "U+005B-0060", "U+007B-007E", "U+00A0", "U+200B-200D",
         "U+2010-2014", "U+2018-201D", "U+2026", "U+25CC"]
SOURCES = {
    "thai": "NotoSansThai",
    "myanmar": "NotoSansMyanmar",
    "devanagari": "NotoSansDevanagari",
}
WEIGHTS = {"400": "Regular", "700": "Bold"}


def font_version(path: Path) -> str:
    font = TTFont(path, lazy=True)
    name = font["name"].getDebugName(5) or f"Version {font['head'].fontRevision:.3f}"
    return name.split(";")[0]  # "Version 2.001; ttfautohint (...)": the version only


def subset(source: Path, target: Path, unicodes: list[str]) -> None:
    subprocess.run([
        sys.executable, "-m", "fontTools.subset", str(source),
        "--unicodes=" + ",".join(u.removeprefix("U+") for u in unicodes),
        "--flavor=woff2", "--layout-features=*", "--no-hinting", "--desubroutinize",
        "--name-IDs=*", "--name-languages=*", "--notdef-outline",
        f"--output-file={target}",
    ], check=True)


def ofl_text() -> str:
    """The SIL Open Font License 1.1 as Debian's copyright file for the fonts states it."""
    lines = COPYRIGHT.read_text().splitlines()
    start = lines.index("License: OFL-1.1", lines.index("License: OFL-1.1") + 1)
    start = next(i for i in range(start + 1, len(lines))
                 if lines[i - 1] == "License: OFL-1.1" and lines[i].startswith(" "))
    body = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        body.append("" if line.strip() == "." else line[1:])
    notice = ["Noto Sans Thai, Noto Sans Myanmar, Noto Sans Devanagari (subsets)",
              "Copyright 2010-2020 Google Inc.; 2015-2020 Google LLC.",
              "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
              "", ""]
    return "\n".join(notice + body) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    package = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "fonts-noto-core"],
                             capture_output=True, text=True, check=False).stdout or "unknown"
    sources = [
        "Fonts served by Passage, built by scripts/build_fonts.py from Debian's",
        f"fonts-noto-core {package} (Copyright 2010-2020 Google Inc. and Google LLC;",
        "SIL Open Font License 1.1, OFL.txt beside this file).",
        "",
        "file\tsource\tversion\tsource sha256\tbytes",
    ]
    for script, stem in SOURCES.items():
        for weight, style in WEIGHTS.items():
            source = NOTO / f"{stem}-{style}.ttf"
            target = args.out / f"noto-sans-{script}-{weight}.woff2"
            subset(source, target, BLOCKS[script] + EXTRA)
            digest = hashlib.sha256(source.read_bytes()).hexdigest()
            size = target.stat().st_size
            sources.append(f"{target.name}\t{source.name}\t{font_version(source)}\t"
                           f"{digest}\t{size}")
            print(f"{target.name}: {size:,} bytes from {source.name}")
    (args.out / "SOURCES.txt").write_text("\n".join(sources) + "\n")
    (args.out / "OFL.txt").write_text(ofl_text())


if __name__ == "__main__":
    main()
