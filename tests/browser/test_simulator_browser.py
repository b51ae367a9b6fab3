"""The phone simulator in Chromium: text and call the service, then find the request as staff."""

import re

from playwright.sync_api import expect

from db import connect

NEW_NUMBER = "0901 234 567"
NEW_E164 = "+84901234567"
# Demo resident Lê Thị Mai (Tân Phú) has a question open but no home visit yet.
KNOWN_NUMBER = "+84909111222"
TIMEOUT_MS = 15_000


def sign_in(page, live_server, credentials, then="/"):
    """Sign in to the staff console (the simulator is for officers) and land on THEN."""
    username, password = credentials
    page.goto(live_server.url + "/login?next=" + then)
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_url(live_server.url + then)


def open_simulator(page, live_server, credentials, number=None, resident=None):
    sign_in(page, live_server, credentials, then="/simulator")
    if resident:
        page.select_option("#resident", resident)
    else:
        page.fill("#phone", number)
        page.click("#number-form button[type=submit]")
    expect(page.locator("#who")).not_to_be_empty(timeout=TIMEOUT_MS)


def text(page, body):
    """Send BODY and return the text of the reply bubbles it brought, joined."""
    replies = page.locator("#thread li.theirs")
    before = replies.count()
    page.fill("#body", body)
    page.click("#send")
    page.wait_for_function(
        "n => document.querySelectorAll('#thread li.theirs').length > n",
        arg=before,
        timeout=TIMEOUT_MS,
    )
    return "\n".join(replies.all_inner_texts()[before:])


def requests_for(live_server, phone, kind):
    database = connect(live_server.db_path)
    try:
        return list(
            database.execute(
                "SELECT requests.ref, requests.channel FROM requests"
                " JOIN residents ON residents.id = requests.resident_id"
                " WHERE residents.phone = ? AND requests.kind = ? ORDER BY requests.id",
                [phone, kind],
            ).fetchall()
        )
    finally:
        database.conn.close()


def find_on_staff_queue(page, live_server, ref):
    """Find REF with the staff queue's search (the officer signed in to use the simulator)."""
    page.goto(live_server.url + "/")
    page.fill("#q", ref)
    page.press("#q", "Enter")
    expect(page.locator("main")).to_contain_text(ref, timeout=TIMEOUT_MS)


def test_a_text_from_the_simulator_gets_its_reply_in_the_thread(
    page, live_server, admin_login, artifacts
):
    open_simulator(page, live_server, admin_login, number=NEW_NUMBER)
    reply = text(page, "HOI nha toi o xa, can bo co den duoc khong?")

    assert reply.startswith("Xa Phu Lam")
    expect(page.locator("#thread li.mine")).to_contain_text("nha toi o xa")
    # A question is queued for staff.
    (question,) = requests_for(live_server, NEW_E164, "question")
    assert question[1] == "sms"
    page.screenshot(path=str(artifacts / "simulator-sms.png"), full_page=True)
    find_on_staff_queue(page, live_server, question[0])


def test_booking_a_home_visit_by_sms_answers_with_the_reference_and_day(
    page, live_server, admin_login, artifacts
):
    open_simulator(page, live_server, admin_login, number=NEW_NUMBER)
    reply = text(page, "HEN")
    if "1=" in reply:  # a new number is asked for its hamlet first
        reply = text(page, "1")

    ((ref, channel),) = requests_for(live_server, NEW_E164, "visit")
    assert channel == "sms"
    assert ref in reply
    assert re.search(r"\d{2}/\d{2}", reply), reply
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=str(artifacts / "simulator-sms-360.png"), full_page=True)
    find_on_staff_queue(page, live_server, ref)


def press(page, keys):
    """Wait until the menu listens for keys, then press KEYS on the on-screen keypad."""
    expect(page.locator("main.sim")).to_have_class(re.compile(r"\blistening\b"), timeout=TIMEOUT_MS)
    for key in keys:
        page.click(f".key[data-key='{key}']")


def test_a_call_walked_with_the_keypad_books_a_home_visit(
    page, live_server, admin_login, artifacts
):
    open_simulator(page, live_server, admin_login, resident=KNOWN_NUMBER)
    page.click("#call")
    expect(page.locator("#call-log li.say").first).to_be_visible(timeout=TIMEOUT_MS)
    press(page, "1")  # main menu: home visit
    press(page, "1")  # known caller: confirm the hamlet on file

    # The confirmation reads the reference code out, after the hamlet on file.
    expect(page.locator("#call-log")).to_contain_text("Mã số của ông bà", timeout=TIMEOUT_MS)
    expect(page.locator("#call-log")).to_contain_text("Tân Phú")
    ((ref, channel),) = requests_for(live_server, KNOWN_NUMBER, "visit")
    assert channel == "voice"
    page.screenshot(path=str(artifacts / "simulator-call.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=str(artifacts / "simulator-call-360.png"), full_page=True)
    page.click("#hangup")
    expect(page.locator("#call-log li.end")).to_be_visible()
    find_on_staff_queue(page, live_server, ref)


def test_a_silent_caller_hears_the_countdown_and_the_menu_follows_the_redirect(
    page, live_server, admin_login
):
    page.clock.install()
    open_simulator(page, live_server, admin_login, resident=KNOWN_NUMBER)
    page.click("#call")
    expect(page.locator("main.sim")).to_have_class(re.compile(r"\blistening\b"), timeout=TIMEOUT_MS)
    expect(page.locator("#countdown")).to_contain_text("giây")
    said_before = page.locator("#call-log li.say").count()
    page.clock.run_for(11_000)
    expect(page.locator("#call-log li.note")).to_contain_text("Không bấm phím")
    expect(page.locator("#call-log li.say")).not_to_have_count(said_before, timeout=TIMEOUT_MS)


def test_a_voice_message_from_the_sample_clip_reaches_staff_as_a_question(
    page, live_server, admin_login
):
    open_simulator(page, live_server, admin_login, number=NEW_NUMBER)
    page.click("#call")
    press(page, "0")  # leave a voice message
    expect(page.locator("#record-panel")).to_be_visible(timeout=TIMEOUT_MS)
    page.click("#record-sample")
    expect(page.locator("#call-log")).to_contain_text("Recording sent", timeout=TIMEOUT_MS)

    database = connect(live_server.db_path)
    try:
        row = database.execute(
            "SELECT ref, recording_url FROM requests WHERE channel = 'voice' AND kind = 'question'"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        database.conn.close()
    ref, recording_url = row
    assert recording_url.startswith(live_server.url + "/simulator/recordings/RE")
    audio = page.request.get(recording_url)
    assert audio.ok and audio.body()[:4] == b"RIFF"
    find_on_staff_queue(page, live_server, ref)
