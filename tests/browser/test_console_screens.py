"""The console at a phone's size and a desk's: each main page, looked at and measured."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import resident_wrote, script, sign_in, trip_under_way

TAP_TARGETS = script("tap_targets.js")


def look(sized, artifacts, name, problems):
    """Save a full-page screenshot; note if the page scrolls sideways or has small targets."""
    page = sized.page
    page.screenshot(path=str(artifacts / f"{name}-{sized.name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        problems.append(f"{name} scrolls sideways ({width} px)")
    if sized.name == "phone":
        problems.extend(f"{name}: {small}" for small in page.evaluate(TAP_TARGETS))


@pytest.fixture
def walk(sized, live_server, admin_login):
    trip_id, request_ids = trip_under_way(live_server)
    question_id = resident_wrote(live_server, "0912 345 678", "Cho hỏi làm sổ đỏ cần gì?")
    sign_in(sized.page, live_server.url, *admin_login)
    return type("Walk", (), {"trip_id": trip_id, "visits": request_ids, "question": question_id})


def test_the_main_pages_fit_the_screen_with_big_enough_targets(sized, live_server, walk, artifacts):
    page = sized.page
    problems = []
    look(sized, artifacts, "queue", problems)
    page.goto(f"{live_server.url}/requests/{walk.visits[0]}")
    look(sized, artifacts, "request-visit", problems)
    page.goto(f"{live_server.url}/requests/{walk.question}")
    look(sized, artifacts, "request-question", problems)
    page.goto(f"{live_server.url}/trips/{walk.trip_id}")
    look(sized, artifacts, "trip-sheet", problems)
    page.goto(f"{live_server.url}/trips/{walk.trip_id}/field")
    expect(page.locator(".visit-card").first).to_be_visible()
    look(sized, artifacts, "field", problems)
    page.goto(f"{live_server.url}/stats")
    look(sized, artifacts, "numbers", problems)
    assert problems == [], "\n".join(problems)
