"""The header names the commune open, and an officer of two communes switches between them.

Screenshots of the header before and after the switch, at a phone's size and a desk's, are
saved in tests/artifacts/communes/ for people to look at.
"""

from playwright.sync_api import expect

from app import communes
from app.accounts import memberships, users
from db import connect, transaction
from tests.browser.support import sign_in


def second_commune(live_server, username):
    """Add Xã Bến Gỗ and make USERNAME a member there too."""
    database = connect(live_server.db_path)
    with live_server.app.app_context(), transaction(database):
        commune = communes.create(database, "BENGO", "Xã Bến Gỗ")
        account = users.by_username(database, username)
        memberships.add(database, account["id"], commune.id, "staff")
    database.conn.close()
    return commune


def test_the_header_names_the_commune_and_the_switch_opens_the_other(
    sized, live_server, admin_login, artifacts
):
    username, password = admin_login
    second_commune(live_server, username)
    folder = artifacts / "communes"
    folder.mkdir(exist_ok=True)
    page = sized.page
    sign_in(page, live_server.url, username, password)
    header = page.locator("header.top")
    expect(header.locator(".commune")).to_have_text("Xã Phú Lâm")
    if sized.name == "phone":
        # On a phone the switch sits in the folded menu, with the account's other tools.
        page.locator(".menu-toggle").click()
    choice = page.get_by_label("Xã", exact=True)
    expect(choice).to_be_visible()
    box = choice.bounding_box()
    assert box["height"] >= 44, box
    header.screenshot(path=str(folder / f"{sized.name}-before.png"))
    choice.select_option(label="Xã Bến Gỗ")
    page.get_by_role("button", name="Chuyển").click()
    expect(header.locator(".commune")).to_have_text("Xã Bến Gỗ")
    expect(page.get_by_text("Bạn đang làm việc tại Xã Bến Gỗ.")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width
    header.screenshot(path=str(folder / f"{sized.name}-after.png"))
    page.screenshot(path=str(folder / f"{sized.name}-page.png"))
