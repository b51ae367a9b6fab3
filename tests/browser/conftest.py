"""Browser fixtures: the real app served on localhost and Debian's Chromium via Playwright."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import communes, create_app
from app.seed.loader import seed
from db import connect, migrate

# `make test` checks for it first (bin/need) and passes CHROMIUM, a command name or a path.
CHROMIUM = shutil.which(os.environ.get("CHROMIUM", "chromium")) or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# Flags that keep Chromium off the network: these machines may have none.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(tmp_path):
    """Serve a freshly seeded app (demo data included) on a free localhost port."""
    db_path = tmp_path / "browser.db"
    migrate(db_path)
    server = make_server("127.0.0.1", 0, None, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(
        {
            "DATABASE_PATH": str(db_path),
            "SECRET_KEY": "browser-test",
            "TWILIO_AUTH_TOKEN": "browser-test-token",
            "PUBLIC_BASE_URL": base_url,
            "SMS_TRANSPORT": "console",
            "SIMULATOR": True,
        }
    )
    with app.app_context():
        database = connect(db_path)
        seed(database, demo=True)
        database.conn.close()
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield type("LiveServer", (), {"url": base_url, "app": app, "db_path": db_path})
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module.

    Playwright's sync API keeps an event loop running in this thread while it is open;
    closing it after each module keeps later tests free to call asyncio.run().
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (its own cookies) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts():
    """Folder for screenshots that tests save for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def admin_login(live_server):
    """Create an admin account on the live server and return (username, password)."""
    from app.accounts import users

    database = connect(live_server.db_path)
    with live_server.app.app_context():
        users.create_user(
            database,
            "canbo",
            "mat-khau-thu",
            role="admin",
            display_name="Cán bộ",
            commune=communes.first_commune(database),
        )
    database.conn.close()
    return "canbo", "mat-khau-thu"


@pytest.fixture(params=["phone", "desk"])
def sized(request, browser):
    """A fresh page at a phone's size (390x844) or a desk's (1366x768), with its name."""
    from tests.browser.support import SIZES

    name = request.param
    context = browser.new_context(
        viewport=SIZES[name],
        locale="vi-VN",
        is_mobile=name == "phone",
        has_touch=name == "phone",
    )
    page = context.new_page()
    yield type("Sized", (), {"name": name, "page": page, "context": context})
    context.close()
