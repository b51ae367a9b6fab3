"""Residents' own words render correctly: the console's own fonts draw the stacked accents."""

import unicodedata

from tests.browser.support import resident_wrote, sign_in

# Stacked tone marks (ễ, ổ, ỏ, ứ) and đ, composed as most phones send them.
WORDS = "Nguyễn Văn Đức hỏi sổ đỏ, thửa đất ở ấp Phú Lợi"
SHIPPED_FONTS = {"Noto Sans", "Noto Sans Mono"}


def fonts_drawing(page, selector):
    """Return the font families Chromium used to draw the text of each node matching SELECTOR."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    found = session.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
    families = []
    for node_id in found["nodeIds"]:
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
        families.append({font["familyName"] for font in fonts})
    session.detach()
    return families


def test_stacked_accents_in_residents_words_are_drawn_by_the_shipped_fonts(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    resident_wrote(live_server, "0912 345 678", WORDS)
    # The same words decomposed (letter, then marks), as some phones send them.
    decomposed = unicodedata.normalize("NFD", WORDS)
    question_id = resident_wrote(live_server, "0987 654 321", decomposed)
    sign_in(page, live_server.url, *admin_login)

    page.goto(f"{live_server.url}/messages")
    page.evaluate("document.fonts.ready")
    cells = page.locator("td.sms")
    page.locator("table.list").last.screenshot(path=str(artifacts / f"accents-{sized.name}.png"))
    drawn = fonts_drawing(page, "td.sms")
    assert len(drawn) == 2
    assert all(families and families <= SHIPPED_FONTS for families in drawn), drawn
    # Decomposed and composed words look the same on the page.
    assert cells.nth(0).inner_text() == cells.nth(1).inner_text() == WORDS
    widths = page.evaluate(
        """() => [...document.querySelectorAll('td.sms')].map(cell => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          return [...range.getClientRects()].map(r => Math.round(r.width * 100) / 100);
        })"""
    )
    assert widths[0] == widths[1]

    page.goto(f"{live_server.url}/requests/{question_id}")
    page.evaluate("document.fonts.ready")
    page.locator(".thread").screenshot(path=str(artifacts / f"accents-thread-{sized.name}.png"))
    drawn = fonts_drawing(page, ".thread .body, dd.said")
    assert drawn and all(families <= SHIPPED_FONTS for families in drawn), drawn
