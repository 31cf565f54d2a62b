"""Thai, Burmese and Devanagari render in the fonts Passage serves, whatever the machine has:
chromium reports the font it drew each run with (DevTools' CSS.getPlatformFontsForNode), and
the page fetched only the woff2 files its text needs."""

import pytest

pytestmark = pytest.mark.browser

TEXTS = {
    "thai": ("ภาษาไทย สมชาย ใจดี", "Noto Sans Thai"),
    "myanmar": ("ဇော်မင်းထွန်း", "Noto Sans Myanmar"),
    "devanagari": ("राजेश कुमार", "Noto Sans Devanagari"),
}


def test_thai_burmese_and_devanagari_render_in_the_served_fonts(live_server, page):
    fetched = []
    page.on("response", lambda r: fetched.append((r.url, r.status, r.header_value(
        "content-type"))) if r.url.endswith(".woff2") else None)
    page.goto(live_server.base_url + "/login")
    page.wait_for_load_state("networkidle")
    # the language switcher names Thai, Burmese and Hindi in their own scripts, so every
    # page fetches the regular faces; never a bold one no text needs (unicode-range and
    # weight select what is fetched)
    assert all(url.endswith("-400.woff2") for url, _, _ in fetched)
    # the sign-in page's own stylesheet, with a line of each script written into it
    page.evaluate("""texts => {
        for (const [script, text] of Object.entries(texts)) {
            const p = document.createElement('p');
            p.id = 'sample-' + script; p.textContent = text;
            document.querySelector('main').append(p);
        }
    }""", {script: text for script, (text, _) in TEXTS.items()})
    page.evaluate("document.fonts.ready")
    page.wait_for_function("[...document.fonts].filter(f => f.status === 'loaded')"
                           ".length >= 3")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    for script, (text, family) in TEXTS.items():
        node = cdp.send("DOM.querySelector", {"nodeId": root,
                                              "selector": f"#sample-{script}"})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        # every letter of the sample from the served font; the machine's own font draws the
        # spaces only (they are outside the face's unicode-range)
        assert [f["familyName"] for f in fonts if f["isCustomFont"]] == [family], fonts
        assert sum(f["glyphCount"] for f in fonts if not f["isCustomFont"]) == text.count(" ")
    assert page.evaluate("document.fonts.check('16px \"Passage Myanmar\"', 'ဇော်')")
    loaded = {url.rsplit("/", 1)[1]: (status, kind) for url, status, kind in fetched}
    assert loaded == {f"noto-sans-{script}-400.woff2": (200, "font/woff2") for script in TEXTS}
