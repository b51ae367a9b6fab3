"""An officer records the greeting in the console, calls from the simulator and hears it.

Chromium's fake microphone (--use-fake-device-for-media-stream, with the permission prompt
answered by --use-fake-ui-for-media-stream) gives the page a real audio stream, so the
browser records, the server stores the take, and the worker's conversion runs on it.
"""

import pytest
from playwright.sync_api import expect

from app.prompts import audio as prompt_audio
from db import connect
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.support import sign_in

TIMEOUT_MS = 20_000
FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
EDITED = "Xã Phú Lâm kính chào ông bà."


@pytest.fixture(scope="module")
def microphone_browser():
    """Chromium with a fake microphone that needs no permission prompt."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + FAKE_MICROPHONE
        )
        yield instance
        instance.close()


def run_worker(live_server):
    """One pass of the worker's conversion of prompt recordings."""
    database = connect(live_server.db_path)
    try:
        with live_server.app.app_context():
            return prompt_audio.convert_pending(
                database,
                live_server.app.config,
                live_server.app.extensions.get("prompt_length_checks", ()),
            )
    finally:
        database.conn.close()


def record_take(card, seconds=2):
    card.get_by_role("button", name="Thu âm", exact=True).click()
    card.page.wait_for_timeout(seconds * 1000)
    card.get_by_role("button", name="Dừng").click()
    expect(card.locator("audio.record-take")).to_be_visible()


def call_and_wait_for_menu(page, live_server):
    """Call from the simulator and wait until the main menu's first option is in the log."""
    page.goto(live_server.url + "/simulator")
    page.select_option("#resident", index=1)
    expect(page.locator("#who")).not_to_be_empty(timeout=TIMEOUT_MS)
    page.click("#call")
    expect(page.locator("#call-log")).to_contain_text("bấm phím 1", timeout=TIMEOUT_MS)
    page.click("#hangup") if page.locator("#hangup").is_visible() else None


def test_a_recorded_greeting_is_heard_in_the_simulator_until_its_words_change(
    microphone_browser, live_server, admin_login, artifacts
):
    context = microphone_browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="vi-VN"
    )
    page = context.new_page()
    sign_in(page, live_server.url, *admin_login)
    page.goto(live_server.url + "/prompts")
    card = page.locator("#prompt-greeting")
    expect(card).to_contain_text("chưa có bản ghi")
    record_take(card)
    first = card.locator("audio.record-take").get_attribute("src")
    # A retake before saving: the second take replaces the first.
    card.get_by_role("button", name="Thu lại").click()
    card.page.wait_for_timeout(2000)
    card.get_by_role("button", name="Dừng").click()
    expect(card.locator("audio.record-take")).not_to_have_attribute("src", first)
    card.get_by_role("button", name="Lưu bản thu này").click()
    expect(page.locator("#prompt-news")).to_contain_text("Đã nhận bản ghi", timeout=TIMEOUT_MS)
    assert run_worker(live_server) == {"kept": 1, "refused": 0}
    page.goto(live_server.url + "/prompts")
    expect(page.locator("#prompt-greeting")).to_contain_text("hiện hành")
    page.screenshot(path=str(artifacts / "prompts-recorded.png"))

    # The simulator plays the recording: the browser fetches it, Twilio's way, with no cookie.
    with page.expect_response(lambda r: "/voice/audio/" in r.url, timeout=TIMEOUT_MS) as heard:
        call_and_wait_for_menu(page, live_server)
    assert heard.value.status in (200, 206)  # a media element asks for a range
    assert heard.value.headers["content-type"] == "audio/wav"
    expect(page.locator("#call-log")).not_to_contain_text("xin chào")

    # The greeting's words change: the simulator says the new words, the recording is stale.
    page.goto(live_server.url + "/prompts")
    card = page.locator("#prompt-greeting")
    card.locator("summary").click()
    card.locator("textarea").fill(EDITED)
    card.get_by_role("button", name="Lưu lời").click()
    expect(page.locator("#prompt-greeting")).to_contain_text("cũ: lời đã đổi")
    call_and_wait_for_menu(page, live_server)
    expect(page.locator("#call-log")).to_contain_text(EDITED)
    # The page as an officer sees it at a desk and on a phone, for people to look at.
    phone = microphone_browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="vi-VN",
        is_mobile=True,
        has_touch=True,
        storage_state=context.storage_state(),
    )
    for shown, size in ((page, "desk"), (phone.new_page(), "phone")):
        shown.goto(live_server.url + "/prompts")
        shown.screenshot(path=str(artifacts / f"prompts-{size}.png"))
    phone.close()
    context.close()
