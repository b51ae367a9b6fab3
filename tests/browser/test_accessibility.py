"""Accessibility, measured: axe-core on every console page at both sizes, and the focus ring.

axe-core is the npm package, vendored (tests/browser/vendor/, pinned in its file name), and
run inside the page through Playwright; no CDN.
"""

from pathlib import Path

from tests.browser.support import resident_wrote, script, sign_in, trip_under_way

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
RUN_AXE = script("run_axe.js")
FOCUS_RING = script("focus_ring.js")


def console_pages(live_server, walk):
    """Every console page an officer can open, with data on it."""
    base = live_server.url
    return {
        "queue": "/",
        "queue-search": "/?q=hoa",
        "request-visit": f"/requests/{walk['visits'][0]}",
        "request-question": f"/requests/{walk['question']}",
        "walk-in": "/requests/new",
        "trips": "/trips",
        "trip-sheet": f"/trips/{walk['trip_id']}",
        "field": f"/trips/{walk['trip_id']}/field",
        "residents": "/residents",
        "resident": "/residents/1",
        "messages": "/messages",
        "catalogue": "/catalogue",
        "procedure": "/catalogue/CANCUOC",
        "numbers": "/stats",
        "settings": "/settings",
        "not-found": "/khong-co-trang-nay",
    } | {"base": base}


def prepare(sized, live_server, admin_login):
    trip_id, visits = trip_under_way(live_server)
    question = resident_wrote(live_server, "0912 345 678", "Cho hỏi làm sổ đỏ cần gì?")
    return {"trip_id": trip_id, "visits": visits, "question": question}


def test_every_console_page_has_no_serious_or_critical_axe_violation(
    sized, live_server, admin_login
):
    page = sized.page
    walk = prepare(sized, live_server, admin_login)
    # The harness finds what it should: a nameless button is a critical violation.
    page.set_content("<html lang=vi><title>t</title><main><button></button></main></html>")
    page.evaluate(AXE.read_text())
    assert page.evaluate(RUN_AXE) != []
    found = {}
    page.goto(live_server.url + "/login")
    page.evaluate(AXE.read_text())
    found["login"] = page.evaluate(RUN_AXE)
    sign_in(page, live_server.url, *admin_login)
    pages = console_pages(live_server, walk)
    base = pages.pop("base")
    for name, path in pages.items():
        page.goto(base + path)
        page.evaluate(AXE.read_text())
        found[name] = page.evaluate(RUN_AXE)
    assert {name: issues for name, issues in found.items() if issues} == {}


def test_the_focus_ring_stands_out_at_least_three_to_one_everywhere(
    sized, live_server, admin_login
):
    page = sized.page
    walk = prepare(sized, live_server, admin_login)
    sign_in(page, live_server.url, *admin_login)
    pages = console_pages(live_server, walk)
    base = pages.pop("base")
    page.keyboard.press("Tab")  # keyboard use: browsers show :focus-visible rings from now on
    found = {}
    for name, path in pages.items():
        page.goto(base + path)
        page.keyboard.press("Tab")
        found[name] = page.evaluate(FOCUS_RING)
    assert {name: low for name, low in found.items() if low} == {}
