"""Every console page at a phone's size and a desk's, in Vietnamese and English: looked at.

Each page is saved as a full-page screenshot in tests/artifacts/pages/ for people to look at,
and measured: no sideways scrolling, no tap target under 44 px on the phone, and no English
sentence of the console left untranslated on a Vietnamese page (nor the reverse).
"""

import re

from babel.messages.pofile import read_po
from playwright.sync_api import expect

from tests.browser.support import ROOT, busy_commune, console_pages, script, sign_in

TAP_TARGETS = script("tap_targets.js")
OPEN_DETAILS = "document.querySelectorAll('details').forEach((d) => { d.open = true; })"
# Where each column of the hamlet-by-week grid starts, in its header and in its first row.
GRID_COLUMNS = """() => {
  const grid = document.querySelector('table.grid');
  const left = (row) => Array.from(row.cells, (cell) => Math.round(cell.getBoundingClientRect().x));
  return [left(grid.tHead.rows[0]), left(grid.tBodies[0].rows[0])];
}"""


def sentences():
    """The console's own sentences: {"en": English msgids, "vi": their Vietnamese}."""
    with open(ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    found = {"en": set(), "vi": set()}
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or "%(" in message.id:
            continue
        if message.id != message.string and len(message.id.split()) >= 3:
            found["en"].add(message.id)
            found["vi"].add(message.string)
    return found


# The body's text without what is marked as another language (lang="vi" prompt words shown
# on the English console are the residents' words, not a sentence left untranslated).
TEXT_IN_PAGE_LANGUAGE = """() => {
  const lang = document.documentElement.lang;
  const foreign = [...document.querySelectorAll("body [lang]")]
    .filter((element) => !element.lang.startsWith(lang));
  const before = foreign.map((element) => element.style.display);
  foreign.forEach((element) => { element.style.display = "none"; });
  const text = document.body.innerText;
  foreign.forEach((element, i) => { element.style.display = before[i]; });
  return text;
}"""


def look(page, folder, name, size, lang, other_language):
    """Save the page; return what a commune officer or a field-team member would trip on."""
    page.evaluate(OPEN_DETAILS)
    page.screenshot(path=str(folder / f"{lang}-{size}-{name}.png"), full_page=True)
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        problems.append(f"scrolls sideways ({width} px)")
    if size == "phone":
        problems += page.evaluate(TAP_TARGETS)
    text = re.sub(r"\s+", " ", page.evaluate(TEXT_IN_PAGE_LANGUAGE))
    problems += [f"in the wrong language: {words!r}" for words in other_language if words in text]
    return [f"{lang} {name}: {problem}" for problem in problems]


def switch_language(page, lang):
    page.evaluate(f"document.querySelector('button[name=lang][value={lang}]').click()")
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_every_page_fits_the_screen_in_both_languages_with_big_enough_targets(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    folder = artifacts / "pages"
    folder.mkdir(exist_ok=True)
    walk = busy_commune(live_server)
    wording = sentences()
    problems = []
    page.goto(live_server.url + "/login")
    problems += look(page, folder, "login", sized.name, "vi", wording["en"])
    sign_in(page, live_server.url, *admin_login)
    for lang, other in (("vi", "en"), ("en", "vi")):
        if lang == "en":
            switch_language(page, "en")
        for name, path in console_pages(walk).items():
            page.goto(live_server.url + path)
            if name == "field":
                expect(page.locator(".visit-card").first).to_be_visible()
                assert page.locator(".alarm").count() == 0, "the office's banner in field mode"
            problems += look(page, folder, name, sized.name, lang, wording[other])
            if name == "numbers":
                header, first_row = page.evaluate(GRID_COLUMNS)
                if header != first_row:
                    problems.append(f"{lang} numbers: the grid's numbers are not under their weeks")
    # Signed out, the login page in English, then a new officer's first sign-in.
    page.context.clear_cookies()
    page.goto(live_server.url + "/login")
    switch_language(page, "en")
    problems += look(page, folder, "login", sized.name, "en", wording["vi"])
    page.get_by_label("Username").fill("moi")
    page.get_by_label("Password").fill("mat-khau-tam-thoi")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    problems += look(page, folder, "first-password", sized.name, "en", wording["vi"])
    switch_language(page, "vi")
    problems += look(page, folder, "first-password", sized.name, "vi", wording["en"])
    assert problems == [], "\n".join(problems)


def test_the_queue_starts_above_the_fold_and_the_header_folds_on_a_phone(
    sized, live_server, admin_login
):
    page = sized.page
    walk = busy_commune(live_server)  # the red banner and a full attention list, as on a bad day
    sign_in(page, live_server.url, *admin_login)
    height = page.viewport_size["height"]
    if sized.name == "desk":
        first_row = page.locator(".queue-list table.list tbody tr").first.bounding_box()
        assert first_row["y"] + 40 < height, f"the first request starts at {first_row['y']} px"
        assert not page.locator("details.more-filters").evaluate("details => details.open")
        return
    tall = {}
    for name, path in console_pages(walk).items():
        page.goto(live_server.url + path)
        header = page.locator("header.top").bounding_box()["height"]
        if header > height / 4:
            tall[name] = header
    assert tall == {}
