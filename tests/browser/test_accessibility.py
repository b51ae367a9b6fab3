"""Accessibility, measured: axe-core on every console page at both sizes, and the focus ring.

axe-core is the npm package, vendored (tests/browser/vendor/, pinned in its file name), and
run inside the page through Playwright; no CDN.
"""

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from db import connect
from tests.browser.support import busy_commune, console_pages, script, sign_in

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
RUN_AXE = script("run_axe.js")
FOCUS_RING = script("focus_ring.js")
SERIOUS = ("serious", "critical")
OPEN_DETAILS = "document.querySelectorAll('details').forEach((d) => { d.open = true; })"


def axe(page):
    """Open every folded part (the correction forms, the attempts) and run axe on the page."""
    page.evaluate(OPEN_DETAILS)
    page.evaluate(AXE.read_text())
    return page.evaluate(RUN_AXE)


def test_every_console_page_has_no_serious_or_critical_axe_violation(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    walk = busy_commune(live_server)
    # The harness finds what it should: a nameless button is a critical violation.
    page.set_content("<html lang=vi><title>t</title><main><button></button></main></html>")
    page.evaluate(AXE.read_text())
    assert "critical" in [line.split()[0] for line in page.evaluate(RUN_AXE)]
    found = {}
    page.goto(live_server.url + "/login")
    found["login"] = axe(page)
    sign_in(page, live_server.url, *admin_login)
    banner = []
    for name, path in console_pages(walk).items():
        page.goto(live_server.url + path)
        found[name] = axe(page)
        banner.append(page.locator(".alarm").count())
    # The red banner of a silent gateway phone was measured too, on the console's pages.
    assert banner[0] == 1
    # An officer with a given password first lands on the change-password page.
    page.context.clear_cookies()
    sign_in(page, live_server.url, "moi", "mat-khau-tam-thoi", heading="Đổi mật khẩu")
    found["first-password"] = axe(page)
    # Every violation, minor and moderate ones too, is kept for people to read.
    (artifacts / f"axe-{sized.name}.json").write_text(json.dumps(found, indent=1))
    serious = {
        name: [line for line in lines if line.split()[0] in SERIOUS]
        for name, lines in found.items()
    }
    assert {name: lines for name, lines in serious.items() if lines} == {}


def test_the_focus_ring_stands_out_at_least_three_to_one_everywhere(
    sized, live_server, admin_login
):
    page = sized.page
    walk = busy_commune(live_server)
    sign_in(page, live_server.url, *admin_login)
    page.keyboard.press("Tab")  # keyboard use: browsers show :focus-visible rings from now on
    found = {}
    for name, path in console_pages(walk).items():
        page.goto(live_server.url + path)
        page.keyboard.press("Tab")
        found[name] = page.evaluate(FOCUS_RING)
    assert {name: low for name, low in found.items() if low} == {}


def test_the_province_page_and_the_monthly_report_have_no_axe_violation_and_print_on_a4(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    busy_commune(live_server)
    database = connect(live_server.db_path)
    with database.conn:
        # The admin reads for the province too, and administers the first commune.
        database.execute("UPDATE staff_users SET province = 1 WHERE username = ?", [admin_login[0]])
        database.execute(
            "INSERT OR REPLACE INTO memberships (user_id, commune_id, role)"
            " SELECT id, 1, 'admin' FROM staff_users WHERE username = ?",
            [admin_login[0]],
        )
    database.conn.close()
    sign_in(page, live_server.url, *admin_login)
    found = {}
    # The demo's requests are this month's: the page of this month has something to draw.
    month = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")
    page.goto(live_server.url + "/province")
    # The month is picked from a list labelled and written in Vietnamese, not a month widget
    # that Chromium would draw in English.
    page.get_by_label("Tháng", exact=True).select_option(month)
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(f"**/province?month={month}*")
    assert page.locator("header .commune").inner_text() == "Toàn tỉnh"
    # The demo's two communes, one row each.
    assert page.locator("table.province tbody tr").count() == 2
    found["province"] = axe(page)
    page.screenshot(path=str(artifacts / f"province-{sized.name}.png"), full_page=True)
    page.locator("table.province tbody th a").first.click()
    page.wait_for_selector("article.report")
    found["report"] = axe(page)
    page.screenshot(path=str(artifacts / f"report-{sized.name}.png"), full_page=True)
    if sized.name == "desk":
        # Chromium's own print to PDF, on A4, as the province files it.
        page.emulate_media(media="print")
        page.pdf(path=str(artifacts / "report-a4.pdf"), format="A4", print_background=True)
        page.emulate_media(media="screen")
    page.goto(live_server.url + "/reports")
    found["report-files"] = axe(page)
    (artifacts / f"axe-reports-{sized.name}.json").write_text(json.dumps(found, indent=1))
    assert {name: lines for name, lines in found.items() if lines} == {}
