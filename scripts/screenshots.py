"""Screenshots of the pages people use most, at 390 px (a phone), for the README.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--width 390]

Loads the demo (`passage demo`) into a scratch SQLite database, serves it on a free port in a
thread (tests/live.py's server), and photographs with Debian's chromium: the cases list, a case
page after its interview, the referral board and the nationality counts.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("PASSAGE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--width", type=int, default=390)
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="passage-shots-") as tmp:
        url = f"sqlite:///{tmp}/passage.db"
        env = {**os.environ, "PASSAGE_DATABASE_URL": url, "PASSAGE_ENV": "development",
               "PASSAGE_SECRET_KEY": os.environ.get("PASSAGE_SECRET_KEY", "shots-" + "x" * 40)}
        os.environ.update(env)
        passage = str(Path(sys.executable).with_name("passage"))
        subprocess.run([passage, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([passage, "demo"], env=env, check=True, capture_output=True)
        from tests.live import serve_in_thread, stop_server

        server = serve_in_thread(url)
        try:
            _photograph(server.base_url, out, options.width)
        finally:
            stop_server(server)


def _photograph(base: str, out: Path, width: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for username, shots in (
            ("caseworker", (("cases-list", "/cases"), ("case-page", _interviewed_case))),
            ("coordinator", (("referral-board", "/referrals"),
                             ("nationality-counts", "/stats/nationalities"))),
        ):
            context = browser.new_context(viewport={"width": width, "height": 844},
                                          locale="en-GB", device_scale_factor=1)
            page = context.new_page()
            page.goto(base + "/login")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(f"passage-demo-{username}")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(re.compile(r"/$"))
            for name, where in shots:
                path = where(page, base) if callable(where) else where
                page.goto(base + path)
                target = out / f"{name}-{width}.png"
                # the page's top, as far as a long list's first dozen rows
                height = min(page.evaluate("document.documentElement.scrollHeight"), 2600)
                page.screenshot(path=str(target), full_page=True,
                                clip={"x": 0, "y": 0, "width": width, "height": height})
                print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
                      f": {path}")
            context.close()
        browser.close()


def _interviewed_case(page, base: str) -> str:
    """A case of the caseworker's that waits for a decision: one with an interview."""
    page.goto(base + "/cases?next_step=decide")
    link = page.locator("table.queue tbody a").first
    if link.count() == 0:
        page.goto(base + "/cases?next_step=follow_up")
        link = page.locator("table.queue tbody a").first
    return link.get_attribute("href")


if __name__ == "__main__":
    main()
