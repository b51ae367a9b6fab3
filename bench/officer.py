"""An officer editing the catalogue through the staff console over HTTP, as a browser does.

Used by `bench.door_bench` to edit a procedure every few seconds while SMS arrive: each save
goes through the console's own checks (the SMS previews, the phone answers measured from the
catalogue as it would be), commits the commune's override and changes the catalogue token,
so every worker reloads its catalogue (and the answering workers their classifier's view of
it) on its next message.
"""

import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser

from bench.harness import flask_cli

USERNAME = "bench-officer"
PASSWORD = "bench-officer-password-0123"
PROCEDURE = "KHAISINH"
EDITED_FIELD = "fee_note"
FEES = ("Mien phi.", "Mien phi (khong mat tien).")


class _Form(HTMLParser):
    """The named fields of the page's forms: inputs, textareas and checked boxes, by name."""

    def __init__(self):
        super().__init__()
        self.fields = {}
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.setdefault(name, attrs.get("value") or "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def fields_of(html):
    """The form fields of HTML, {name: value}."""
    parser = _Form()
    parser.feed(html)
    return parser.fields


class Officer:
    """A signed-in admin of the first commune on the service at BASE_URL."""

    def __init__(self, service):
        flask_cli(service.env, "create-user", USERNAME, "--role", "admin", "--password", PASSWORD)
        self.base_url = service.base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self._get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self._post("/login", {"username": USERNAME, "password": PASSWORD, "csrf_token": token})
        self.saves = 0

    def _get(self, path):
        with self.opener.open(self.base_url + path, timeout=60) as response:
            return response.read().decode()

    def _post(self, path, form):
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base_url + path, data=data, timeout=60) as response:
            return response.status, response.read().decode()

    def edit(self):
        """Change the procedure's fee text and save it; return the seconds the save took."""
        path = f"/catalogue/{PROCEDURE}"
        form = fields_of(self._get(path))
        if "csrf_token" not in form:
            raise RuntimeError(f"{path} has no form: is the officer signed in?")
        form[EDITED_FIELD] = FEES[self.saves % 2]
        form.update(action="save", confirm_long="1")
        started = time.monotonic()
        status, page = self._post(path, form)
        if status != 200 or ("Procedure saved." not in page and "Đã lưu thủ tục." not in page):
            raise RuntimeError(f"the catalogue edit was not saved (status {status})")
        self.saves += 1
        return time.monotonic() - started


class Editing(threading.Thread):
    """Saves an edit every EVERY seconds until stopped; the save times are kept."""

    def __init__(self, officer, every=2.0):
        super().__init__(daemon=True)
        self.officer = officer
        self.every = every
        self.done = threading.Event()
        self.seconds = []
        self.error = None

    def run(self):
        try:
            while not self.done.wait(self.every):
                self.seconds.append(self.officer.edit())
        except Exception as error:  # noqa: BLE001 - reported by the benchmark, not lost
            self.error = error
