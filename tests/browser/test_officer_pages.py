"""The officer's day off the happy path: what each changed page shows, at both sizes.

Each test walks one finding of the console review (issue 25): it asserts what the officer
sees and, where a resident is told something, what the resident receives. Every page a test
changes is saved in tests/artifacts/officer/ and checked with axe-core at every impact.
"""

import re
from pathlib import Path

from playwright.sync_api import expect

from db import connect
from tests.browser.support import (
    busy_commune,
    first_commune,
    resident_wrote,
    script,
    sign_in,
    trip_under_way,
)

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
RUN_AXE = script("run_axe.js")


def looked_at(page, artifacts, name, size):
    """Save the page for people to look at; return its axe-core violations (every impact)."""
    folder = artifacts / "officer"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
    # axe reads what folds too: the correction forms, the closed settings sections.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.evaluate(AXE.read_text())
    return page.evaluate(RUN_AXE)


def query(live_server, sql, params=()):
    database = connect(live_server.db_path)
    try:
        return database.execute(sql, list(params)).fetchall()
    finally:
        database.conn.close()


# Finding 12: the small ones ---------------------------------------------------------------


def test_a_short_new_password_is_refused_in_the_pages_own_language(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    sign_in(page, live_server.url, *admin_login)
    page.goto(live_server.url + "/password")
    page.get_by_label("Mật khẩu hiện tại").fill(admin_login[1])
    page.get_by_label("Mật khẩu mới (ít nhất 8 ký tự)").fill("ngan")
    page.get_by_label("Nhập lại mật khẩu mới").fill("ngan")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    # Not the browser's own bubble (English on most machines): the page says it, in Vietnamese.
    expect(page.get_by_role("alert")).to_contain_text("mật khẩu cần ít nhất 8 ký tự")
    assert looked_at(page, artifacts, "password-short", sized.name) == []


def test_the_forced_password_page_offers_no_menu_that_leads_back_to_itself(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    busy_commune(live_server)  # makes "moi", whose password was given to them
    sign_in(page, live_server.url, "moi", "mat-khau-tam-thoi", heading="Đổi mật khẩu")
    assert page.locator("header.top nav").count() == 0
    links = page.locator("header.top a[href]").evaluate_all("(all) => all.map((a) => a.href)")
    for href in links:
        page.goto(href)
        assert not page.url.endswith("/password"), f"{href} leads back to the password page"
    page.goto(live_server.url + "/password")
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible():
        toggle.click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    assert looked_at(page, artifacts, "password-forced", sized.name) == []


def test_a_visit_opened_by_a_correction_is_credited_to_the_officer(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    words = "toi bi liet khong di duoc nho can bo toi giup"
    question = resident_wrote(live_server, "0912 555 666", words)
    sign_in(page, live_server.url, *admin_login)
    page.goto(live_server.url + "/messages")
    row = page.locator("table.list tbody tr", has_text=words)
    row.locator("details.meaning summary").click()
    row.get_by_label("Ý nghĩa").select_option(label="Xin cán bộ đến nhà")
    row.get_by_label("Ấp").select_option(label="Phú Lợi")
    row.get_by_role("button", name="Thực hiện và ghi nhớ").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã thực hiện")
    ((visit_id, ref),) = query(
        live_server,
        "SELECT id, ref FROM requests WHERE kind = 'visit' AND resident_id ="
        " (SELECT resident_id FROM requests WHERE id = ?)",
        [question],
    )
    page.goto(f"{live_server.url}/requests/{visit_id}")
    opened = page.locator(".timeline li", has_text="Đã tạo yêu cầu")
    expect(opened).to_contain_text("canbo (cán bộ)")
    expect(opened).not_to_contain_text("người dân")
    # The resident is told the visit is booked, with its reference.
    bodies = [body for (body,) in query(live_server, "SELECT body FROM outbox")]
    assert any(ref in body for body in bodies), bodies
    assert looked_at(page, artifacts, "corrected-visit", sized.name) == []


def test_procedure_names_are_english_on_the_english_console(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    sign_in(page, live_server.url, *admin_login)
    page.evaluate("document.querySelector('button[name=lang][value=en]').click()")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(live_server.url + "/catalogue")
    expect(page.get_by_role("link", name="ID card (issue or renew)")).to_be_visible()
    page.goto(live_server.url + "/requests/new")
    options = page.locator("select[name=service_code] option").all_inner_texts()
    assert "Birth registration" in options, options
    assert looked_at(page, artifacts, "walk-in-en", sized.name) == []


# Finding 8: a future trip's sheet ----------------------------------------------------------


def test_the_sheet_of_a_future_trip_says_when_results_can_be_ticked(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    future, _ids = trip_under_way(live_server, days_ago=-3)
    sign_in(page, live_server.url, *admin_login)
    page.goto(f"{live_server.url}/trips/{future}")
    ticks = page.locator("table.sheet input[type=radio]")
    assert ticks.count() == 10
    for index in range(ticks.count()):
        expect(ticks.nth(index)).to_be_disabled()
    expect(page.locator(".results-wait")).to_contain_text("từ ngày")
    expect(page.get_by_role("button", name="Lưu kết quả")).to_be_disabled()
    assert looked_at(page, artifacts, "trip-sheet-future", sized.name) == []


# Finding 9: the reply preview --------------------------------------------------------------


def test_the_reply_preview_shows_in_place_and_no_form_address_answers_405(
    sized, live_server, admin_login, artifacts, browser
):
    page = sized.page
    question = resident_wrote(live_server, "0912 345 678", "Cho hỏi làm sổ đỏ cần gì?")
    sign_in(page, live_server.url, *admin_login)
    page.goto(f"{live_server.url}/requests/{question}")
    counter = page.locator("#answer-counter")
    expect(counter).to_contain_text("0 ký tự, 0 tin nhắn")
    page.get_by_label("Trả lời bằng tin nhắn").fill("Mang sổ hộ khẩu và CCCD đến xã sáng mai.")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Xem trước").click()
    preview = page.locator("#answer-preview")
    expect(preview).to_contain_text("Xa Phu Lam: Mang so ho khau va CCCD den xa sang mai.")
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"
    assert page.url == f"{live_server.url}/requests/{question}"
    box = preview.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"], f"the preview is at {box['y']} px"
    assert looked_at(page, artifacts, "reply-preview", sized.name) == []

    # Without script the same button still previews (the page comes back with it).
    plain = browser.new_context(viewport=page.viewport_size, java_script_enabled=False)
    plain.add_cookies(page.context.cookies())
    other = plain.new_page()
    other.goto(f"{live_server.url}/requests/{question}")
    other.get_by_label("Trả lời bằng tin nhắn").fill("Mai 8h mang CCCD")
    other.get_by_role("button", name="Xem trước").click()
    expect(other.locator("#answer-preview")).to_contain_text("Xa Phu Lam: Mai 8h mang CCCD")
    plain.close()

    # Every address a form posts to, opened as a page, leads to a page instead of a 405.
    walked = {}
    for rule in live_server.app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff.") or "GET" in rule.methods:
            continue
        path = re.sub(r"<int:\w+>", str(question), rule.rule)
        path = re.sub(r"<[^>]+>", "x", path)
        answer = page.request.get(live_server.url + path)
        walked[path] = answer.status
    assert walked and {path: s for path, s in walked.items() if s == 405} == {}
    page.goto(f"{live_server.url}/requests/{question}/answer")
    assert page.url == f"{live_server.url}/requests/{question}"


# Finding 5: statuses that tell the truth ---------------------------------------------------


def old_inline_replies(live_server, request_id):
    """Replies stored as inline TwiML used to be: queued, and never reported on when Twilio
    sent no callback. One is three hours old, one five minutes; a reply waits in the outbox."""
    import datetime as dt

    from app.delivery import outbox
    from app.infra import clock
    from db import transaction

    database = connect(live_server.db_path)
    with live_server.app.app_context(), transaction(database), first_commune(database):
        request = database.execute(
            "SELECT r.resident_id, res.phone FROM requests r"
            " JOIN residents res ON res.id = r.resident_id WHERE r.id = ?",
            [request_id],
        ).fetchone()
        now = clock.now()
        replies = (
            (3, "Xa Phu Lam: Goi 115 ngay. Can bo se goi lai."),
            (0.08, "Xa Phu Lam: Da nhan."),
        )
        for hours, body in replies:
            stamp = clock.iso(now - dt.timedelta(hours=hours))
            database["messages"].insert(
                {
                    "commune_id": 1,
                    "direction": "out",
                    "provider": "twilio",
                    "phone": request[1],
                    "resident_id": request[0],
                    "body": body,
                    "status": "queued",
                    "request_id": request_id,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
        outbox.enqueue(
            database, request[1], "Xa Phu Lam: Mai 8h.", kind="reply", request_id=request_id
        )
    database.conn.close()


def long_replies(live_server, request_id):
    """Two long gateway replies: one whose second part failed, one with 2 of 3 parts delivered."""
    from app.infra import clock
    from db import transaction

    database = connect(live_server.db_path)
    with live_server.app.app_context(), transaction(database):
        resident_id, phone = database.execute(
            "SELECT r.resident_id, res.phone FROM requests r"
            " JOIN residents res ON res.id = r.resident_id WHERE r.id = ?",
            [request_id],
        ).fetchone()
        stamp = clock.iso(clock.now())
        for status, sent, delivered, failed, words in (
            ("failed", 2, 2, 1, "Lich kham"),
            ("sent", 3, 2, 0, "Hen kham"),
        ):
            message_id = (
                database["messages"]
                .insert(
                    {
                        "commune_id": 1,
                        "direction": "out",
                        "provider": "gateway",
                        "provider_id": f"gw-{words}",
                        "phone": phone,
                        "resident_id": resident_id,
                        "body": f"Xa Phu Lam: {words} " + "tai nha cua ong ba. " * 16,
                        "status": status,
                        "request_id": request_id,
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
                .last_pk
            )
            database["message_parts"].insert(
                {
                    "message_id": message_id,
                    "commune_id": 1,
                    "parts": 3,
                    "sent": sent,
                    "delivered": delivered,
                    "failed": failed,
                    "updated_at": stamp,
                }
            )
    database.conn.close()


def test_every_outbound_sms_shows_an_honest_state_and_the_counts_match_the_rows(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    question = resident_wrote(live_server, "0912 345 678", "Cứu với, ông nhà tôi bị ngã")
    old_inline_replies(live_server, question)
    long_replies(live_server, question)
    sign_in(page, live_server.url, *admin_login)
    page.goto(live_server.url + "/messages")
    # A long message with a failed part says so, and how its parts fared.
    partly = page.locator("table.list tbody tr", has_text="Lich kham")
    expect(partly.locator(".delivery")).to_have_text("Gửi thiếu một phần")
    expect(partly.locator(".parts")).to_have_text("1/3 phần tin không gửi được, 2 phần đã đến máy")
    on_its_way = page.locator("table.list tbody tr", has_text="Hen kham")
    expect(on_its_way.locator(".delivery")).to_have_text("Đã gửi")
    expect(on_its_way.locator(".parts")).to_have_text("2/3 phần tin đã đến máy")
    old = page.locator("table.list tbody tr", has_text="Goi 115 ngay")
    expect(old.locator(".delivery")).to_have_text("Nhà mạng không báo trạng thái")
    recent = page.locator("table.list tbody tr", has_text="Da nhan.")
    expect(recent.locator(".delivery")).to_have_text("Đang chờ gửi")
    # Every outbound row says one of the five states, and the header counts what the rows say.
    states = {"queued": "Đang chờ gửi", "no_status": "nhà mạng không báo trạng thái"}
    header = page.locator(".lead.counts").inner_text()
    for state, words in states.items():
        shown = page.locator(f".delivery.state-{state}").count()
        assert f"{words}: {shown}".lower() in header.lower(), (state, shown, header)
    assert page.locator(".delivery.state-queued").count() == 2  # the recent reply, the outbox one
    outbound = page.locator("tr.out .delivery").all_inner_texts()
    five = {"Đang chờ gửi", "Đã gửi", "Đã đến máy", "Không gửi được"}
    five |= {"Nhà mạng không báo trạng thái", "Gửi thiếu một phần"}  # the last: failed, partly
    assert outbound and set(outbound) <= five, outbound
    assert looked_at(page, artifacts, "messages-states", sized.name) == []
    # The request's own thread says the same.
    page.goto(f"{live_server.url}/requests/{question}")
    expect(page.locator(".thread .msg", has_text="Goi 115 ngay").locator(".delivery")).to_have_text(
        "Nhà mạng không báo trạng thái"
    )
    partly = page.locator(".thread .msg", has_text="Lich kham")
    expect(partly.locator(".delivery")).to_have_text("Gửi thiếu một phần")
    expect(partly.locator(".parts")).to_have_text("1/3 phần tin không gửi được, 2 phần đã đến máy")
    assert looked_at(page, artifacts, "request-states", sized.name) == []


# Finding 7: field mode without signal -------------------------------------------------------


def test_offline_cards_show_each_unsent_result_and_note_and_the_banner_counts_visits(
    sized, live_server, admin_login, artifacts
):
    page, context = sized.page, sized.context
    trip_id, _ids = trip_under_way(live_server)
    sign_in(page, live_server.url, *admin_login)
    page.goto(f"{live_server.url}/trips/{trip_id}/field")
    expect(page.locator("#field[data-offline-ready='yes']")).to_be_attached(timeout=15000)
    context.set_offline(True)
    cards = page.locator(".visit-card")
    first, second, third = (cards.nth(index) for index in range(3))
    first.get_by_role("button", name="Đã đến").click()
    first.get_by_role("button", name="Đúng, đã đến").click()
    second.get_by_role("button", name="Không gặp ở nhà").click()
    second.get_by_role("button", name="Ghi chú").click()
    second.get_by_label("Ghi chú cho văn phòng").fill("hẹn chuyến sau")
    second.get_by_role("button", name="Lưu ghi chú").click()
    third.get_by_role("button", name="Ghi chú").click()
    third.get_by_label("Ghi chú cho văn phòng").fill("Bà dặn gọi trước khi đến")
    third.get_by_role("button", name="Lưu ghi chú").click()
    # Four results on three visits: the team has three visits to send.
    sync_line = page.locator("#sync-state")
    expect(sync_line).to_contain_text("Chưa gửi: 3 lượt đến")
    page.reload()  # still without signal: the cards come back from the phone as entered
    expect(sync_line).to_contain_text("Chưa gửi: 3 lượt đến")
    kept = second.locator(".local-state li")
    expect(kept).to_have_count(2)
    expect(kept.nth(0)).to_contain_text("Không gặp ở nhà")
    expect(kept.nth(0)).to_contain_text("chưa gửi")
    expect(kept.nth(1)).to_contain_text("hẹn chuyến sau")
    expect(third.locator(".local-state")).to_contain_text("Bà dặn gọi trước khi đến")
    expect(first.locator(".local-state")).to_contain_text("Đã đến")
    assert looked_at(page, artifacts, "field-offline-kept", sized.name) == []
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(sync_line).to_contain_text("Đã gửi hết", timeout=15000)
    expect(second.locator(".server-status .badge")).to_have_text("Không gặp ở nhà")
    notes = query(live_server, "SELECT note FROM field_results WHERE result = 'note' ORDER BY id")
    assert notes == [("hẹn chuyến sau",), ("Bà dặn gọi trước khi đến",)]


# Finding 11: the numbers residents use -------------------------------------------------------


def test_the_numbers_page_shows_each_number_its_last_messages_and_the_gateway_phone(
    sized, live_server, admin_login, artifacts
):
    import datetime as dt

    from app import channels, communes
    from app.infra import clock
    from db import transaction

    page = sized.page
    busy_commune(live_server)  # the gateway phone has been silent for two hours
    resident_wrote(live_server, "0912 345 678", "Cho hỏi giờ làm việc của xã")
    database = connect(live_server.db_path)
    with live_server.app.app_context(), transaction(database):
        stamp = clock.iso(clock.now() - dt.timedelta(minutes=2))
        database["messages"].insert(
            {
                "commune_id": 1,
                "direction": "out",
                "provider": "twilio",
                "provider_id": "SM" + "5" * 32,
                "phone": "+84912345678",
                "body": "Xa Phu Lam: Gio lam viec 7h-17h.",
                "status": "delivered",
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        second = [c for c in communes.every(database) if c.id != 1][0]
        channels.add_twilio(database, second, "+842773999888")
    database.conn.close()
    sign_in(page, live_server.url, *admin_login)
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible():
        toggle.click()
    page.get_by_role("link", name="Số điện thoại").click()
    expect(page.get_by_role("heading", name="Số điện thoại", level=1)).to_be_visible()
    twilio = page.locator("section.number").first
    expect(twilio).to_contain_text("Số Twilio")
    # The embedded default's made-up number is named for what it is, not shown as 0000 0000.
    expect(twilio.locator("h2")).to_have_text("Số của máy giả lập (chưa có số Twilio)")
    expect(twilio).to_contain_text("Cho hỏi giờ làm việc của xã")
    expect(twilio).to_contain_text("Gio lam viec 7h-17h")
    expect(twilio.locator(".delivery")).to_have_text("Đã đến máy")
    gateway = page.locator("section.number", has_text="default")
    expect(gateway.locator(".phone-state")).to_contain_text("Im lặng từ")
    expect(gateway.locator(".phone-state")).to_contain_text("120 phút")
    # Another commune's number is not this commune's business.
    shown = page.locator("main").inner_text()
    assert "3999888" not in shown.replace(" ", "") and shown.count("Số Twilio") == 1
    assert looked_at(page, artifacts, "numbers", sized.name) == []


# Finding 10: long pages become short ones ----------------------------------------------------


def many_messages(live_server, count=60):
    """COUNT inbound SMS from COUNT // 2 residents, one of them about a red book."""
    from app import residents
    from app.delivery import messages
    from db import transaction

    database = connect(live_server.db_path)
    with live_server.app.app_context(), transaction(database), first_commune(database):
        for number in range(count):
            phone = f"0912 777 {number // 2:03d}"
            resident = residents.find_or_create(database, phone)
            body = "Cho hỏi làm sổ đỏ cần gì ạ" if number == 7 else f"Tin nhắn số {number} hỏi lịch"
            messages.record_inbound(
                database,
                provider="twilio",
                provider_id=f"SM{number:032d}",
                dedupe_key=f"many:{number}",
                phone=resident["phone"],
                body=body,
                resident_id=resident["id"],
            )
    database.conn.close()


def test_messages_are_searched_filtered_and_paged_and_settings_fold_into_sections(
    sized, live_server, admin_login, artifacts
):
    page = sized.page
    many_messages(live_server)
    sign_in(page, live_server.url, *admin_login)
    page.goto(live_server.url + "/messages")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 9000, f"the messages page is {height} px"
    expect(page.get_by_role("link", name=re.compile("Cũ hơn"))).to_be_visible()
    if sized.name == "desk":
        # A phone number stays on one line on the desk.
        broken = page.locator("table.list .phone").evaluate_all(
            "(all) => all.filter((s) => s.getClientRects().length > 1).map((s) => s.textContent)"
        )
        assert broken == []
    assert looked_at(page, artifacts, "messages-paged", sized.name) == []
    # Search without accents, as officers type on a phone.
    page.get_by_label("Tìm: số điện thoại, tên hoặc nội dung").fill("lam so do")
    page.get_by_role("button", name="Xem", exact=True).click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Cho hỏi làm sổ đỏ cần gì ạ")
    page.get_by_label("Tìm: số điện thoại, tên hoặc nội dung").fill("0912 777 011")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(rows).to_have_count(2)
    page.get_by_label("Tin đến hay tin đi").select_option(label="Gửi người dân")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.locator("p.empty")).to_be_visible()

    # Settings: a short page of sections; a save comes back to its own section, open.
    page.goto(live_server.url + "/settings")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, f"the settings page is {height} px"
    page.locator("nav.toc").get_by_role("link", name="Lịch").click()
    rules = page.locator("details#rules")
    expect(rules).to_have_attribute("open", "")
    if sized.name == "phone":
        boxes = rules.locator("input[type=checkbox]")
        sizes = boxes.evaluate_all(
            "(all) => all.map((b) => [b.offsetWidth, b.offsetHeight])"
            ".filter(([w, h]) => w < 44 || h < 44)"
        )
        assert boxes.count() > 0 and sizes == []
    assert looked_at(page, artifacts, "settings-rules", sized.name) == []
    page.goto(live_server.url + "/settings?open=commune#commune")
    commune = page.locator("details#commune")
    commune.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(r"/settings\?open=commune#commune$"))
    expect(commune).to_have_attribute("open", "")
    expect(page.locator("details#users")).not_to_have_attribute("open", "")
    box = commune.bounding_box()
    assert box["y"] < page.viewport_size["height"], "the saved section is out of view"
