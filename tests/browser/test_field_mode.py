"""Field mode on the team's phone: record results without signal, send them once it returns."""

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from db import connect
from tests.browser.support import sign_in, trip_under_way


def served_paths(live_server):
    """Record every path the server is asked for, so a test can tell what left the phone."""
    seen = []
    app = live_server.app

    @app.before_request
    def note_path():
        from flask import request

        seen.append(request.path)

    return seen


def test_results_recorded_offline_survive_a_reload_and_reach_the_server_exactly_once(
    sized, live_server, admin_login, artifacts
):
    page, context = sized.page, sized.context
    trip_id, request_ids = trip_under_way(live_server)
    seen = served_paths(live_server)
    sign_in(page, live_server.url, *admin_login)
    field_url = f"{live_server.url}/trips/{trip_id}/field"
    page.goto(field_url)
    # Opened online: the service worker keeps the trip on the phone.
    expect(page.locator("#field[data-offline-ready='yes']")).to_be_attached(timeout=15000)

    context.set_offline(True)
    cards = page.locator(".visit-card")
    first, second, third = (cards.nth(index) for index in range(3))
    first.get_by_role("button", name="Đã đến").click()
    first.get_by_role("button", name="Đúng, đã đến").click()
    second.get_by_role("button", name="Không gặp ở nhà").click()
    third.get_by_role("button", name="Ghi chú").click()
    third.get_by_label("Ghi chú cho văn phòng").fill("Bà dặn gọi trước khi đến")
    third.get_by_role("button", name="Lưu ghi chú").click()
    sync_line = page.locator("#sync-state")
    expect(sync_line).to_contain_text("Chưa gửi: 3")

    # Reload with no signal: the page comes from the phone, the results from IndexedDB.
    paths_before_reload = len(seen)
    page.reload()
    expect(sync_line).to_contain_text("Chưa gửi: 3")
    expect(first.locator(".local-state")).to_contain_text("chưa gửi")
    assert seen[paths_before_reload:] == [], "the offline reload reached the server"
    page.screenshot(path=str(artifacts / f"field-offline-{sized.name}.png"), full_page=True)

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(sync_line).to_contain_text("Đã gửi hết", timeout=15000)
    expect(first.locator(".server-status .badge")).to_have_text("Đã đến")
    expect(second.locator(".server-status .badge")).to_have_text("Không gặp ở nhà")
    page.screenshot(path=str(artifacts / f"field-synced-{sized.name}.png"), full_page=True)
    # A second sync (another online event, a reload) sends nothing again.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.reload()
    expect(sync_line).to_contain_text("Đã gửi hết")

    database = connect(live_server.db_path)
    results = database.execute(
        "SELECT request_id, result, outcome FROM field_results ORDER BY id"
    ).fetchall()
    ids_in_order = [int(card.get_attribute("data-request-id")) for card in (first, second, third)]
    statuses = dict(
        database.execute(
            f"SELECT id, status FROM requests WHERE id IN ({', '.join('?' * 3)})", ids_in_order
        ).fetchall()
    )
    events = database.execute(
        "SELECT request_id, action, count(*) FROM request_events"
        " WHERE action IN ('visited', 'unreachable', 'field_note') GROUP BY request_id, action"
    ).fetchall()
    database.conn.close()
    assert results == [
        (ids_in_order[0], "visited", "applied"),
        (ids_in_order[1], "unreachable", "applied"),
        (ids_in_order[2], "note", "applied"),
    ]
    assert statuses == {
        ids_in_order[0]: "visited",
        ids_in_order[1]: "unreachable",
        ids_in_order[2]: "scheduled",
    }
    assert sorted(events) == sorted(
        [
            (ids_in_order[0], "visited", 1),
            (ids_in_order[1], "unreachable", 1),
            (ids_in_order[2], "field_note", 1),
        ]
    )
    assert set(request_ids) >= set(ids_in_order)


KEPT_ON_PHONE = """async () => ({
  pages: (await Promise.all((await caches.keys()).map(async (name) =>
    (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname)))).flat()
    .filter((path) => path.startsWith("/trips/")),
  results: await new Promise((resolve) => {
    const open = indexedDB.open("hamlet-field");
    open.onupgradeneeded = () => open.transaction.abort();
    open.onerror = () => resolve(0);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("results")) { db.close(); resolve(0); return; }
      const all = db.transaction("results").objectStore("results").count();
      all.onsuccess = () => { db.close(); resolve(all.result); };
    };
  }),
  workers: (await navigator.serviceWorker.getRegistrations()).length,
})"""


def sign_out(page):
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    page.get_by_role("button", name="Đăng xuất").click()


def open_offline_ready(page, url):
    page.goto(url)
    expect(page.locator("#field[data-offline-ready='yes']")).to_be_attached(timeout=15000)


def test_signing_out_takes_the_trip_and_its_results_off_the_phone(sized, live_server, admin_login):
    page, context = sized.page, sized.context
    trip_id, _ids = trip_under_way(live_server)
    sign_in(page, live_server.url, *admin_login)
    field_url = f"{live_server.url}/trips/{trip_id}/field"
    open_offline_ready(page, field_url)
    card = page.locator(".visit-card").first
    card.get_by_role("button", name="Không gặp ở nhà").click()
    expect(page.locator("#sync-state")).to_contain_text("Đã gửi hết", timeout=15000)
    kept = page.evaluate(KEPT_ON_PHONE)
    assert (kept["pages"], kept["results"], kept["workers"]) == ([f"/trips/{trip_id}/field"], 1, 1)

    sign_out(page)
    expect(page).to_have_url(f"{live_server.url}/login")
    assert page.evaluate(KEPT_ON_PHONE) == {"pages": [], "results": 0, "workers": 0}
    # Without signal the phone has no copy left to show.
    context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(field_url)


def test_signing_out_with_results_not_sent_asks_first(sized, live_server, admin_login):
    page = sized.page
    trip_id, _ids = trip_under_way(live_server)
    sign_in(page, live_server.url, *admin_login)
    open_offline_ready(page, f"{live_server.url}/trips/{trip_id}/field")
    # The office cannot be reached (a dead spot behind the router): the result stays unsent.
    page.route("**/field/results", lambda route: route.abort())
    card = page.locator(".visit-card").first
    card.get_by_role("button", name="Không gặp ở nhà").click()
    expect(page.locator("#sync-state")).to_contain_text("Chưa gửi: 1")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    sign_out(page)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_attached()
    page.wait_for_timeout(500)  # a sign-out that went through would have left the page by now
    assert page.url.endswith("/field") and len(asked) == 1
    assert "1 kết quả" in asked[0]
    sign_out(page)
    expect(page).to_have_url(f"{live_server.url}/login")
    assert len(asked) == 2


def test_a_trip_whose_day_is_over_is_not_kept_on_the_phone(sized, live_server, admin_login):
    page, context = sized.page, sized.context
    today_trip, _ids = trip_under_way(live_server)
    past_trip, _ids = trip_under_way(live_server, days_ago=1)
    sign_in(page, live_server.url, *admin_login)
    open_offline_ready(page, f"{live_server.url}/trips/{today_trip}/field")
    page.goto(f"{live_server.url}/trips/{past_trip}/field")
    expect(page.locator("#field[data-offline-ready='no']")).to_be_attached(timeout=15000)
    expect(page.locator("#offline-ready")).to_contain_text("không lưu trên điện thoại")
    assert page.evaluate(KEPT_ON_PHONE)["pages"] == [f"/trips/{today_trip}/field"]
    context.set_offline(True)
    page.reload()
    expect(page.locator("body")).to_contain_text("Chưa lưu chuyến này")
    expect(page.locator(".visit-card")).to_have_count(0)


def test_a_result_the_office_refuses_shows_on_its_card_and_the_others_still_go(
    sized, live_server, admin_login
):
    page = sized.page
    trip_id, _ = trip_under_way(live_server)
    sign_in(page, live_server.url, *admin_login)
    page.goto(f"{live_server.url}/trips/{trip_id}/field")
    expect(page.locator("#field[data-offline-ready='yes']")).to_be_attached(timeout=15000)
    sized.context.set_offline(True)
    cards = page.locator(".visit-card")
    first, second = cards.nth(0), cards.nth(1)
    first.get_by_role("button", name="Ghi chú").click()
    # A lone surrogate: no character, but JSON.stringify sends it as "\\ud800", as a broken
    # keyboard or a cut-off emoji would.
    first.get_by_label("Ghi chú cho văn phòng").evaluate("(box) => { box.value = 'a\\ud800'; }")
    first.get_by_role("button", name="Lưu ghi chú").click()
    second.get_by_role("button", name="Không gặp ở nhà").click()
    sync_line = page.locator("#sync-state")
    expect(sync_line).to_contain_text("Chưa gửi: 2")

    sized.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(sync_line).to_contain_text("Đã gửi hết", timeout=15000)
    expect(first.locator(".local-state")).to_contain_text("Văn phòng không nhận")
    expect(second.locator(".server-status .badge")).to_have_text("Không gặp ở nhà")
    database = connect(live_server.db_path)
    results = database.execute("SELECT result, outcome FROM field_results").fetchall()
    database.conn.close()
    assert results == [("unreachable", "applied")]
