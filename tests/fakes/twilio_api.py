"""A local fake of the Twilio REST API (Messages, Calls, Recordings) that behaves like Twilio.

The real `twilio` client talks to it over HTTP, so request building, auth, paging and error
handling are exercised for real. Each behaviour follows a Twilio page or source, named where
it is implemented:

- Creating a message is never idempotent and no header changes that. Twilio's error 20500
  page: "Other POST requests - sending an SMS or triggering an outbound call - are not
  idempotent. If you get a 500 Server Error on these requests, and you retry the request, it
  is possible for a customer to receive multiple messages"
  (https://www.twilio.com/docs/api/errors/20500). `I-Twilio-Idempotency-Token` is a header
  Twilio sends on its own webhooks; the REST API ignores it, and so does this fake.
- A create can be refused before anything exists (`fail_next`: a 5xx, 429 or a slow error),
  or accepted and then answered badly (`accept_then_fail_next`, `accept_then_fail_every`):
  a 500, a hang past the client's timeout, or a reset connection. In the second case the
  message exists and is sent, but the caller cannot know.
- Messages list (GET Messages.json): filters `To`, `From`, `DateSent`, `DateSent<` and
  `DateSent>` with day granularity in GMT ("DateSent>=YYYY-MM-DD to read messages sent on or
  after midnight on a date", Message resource reference,
  https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources),
  newest first with no way to change the order (twilio/twilio-oai#22), `PageSize` 50 by
  default and at most 1000, and `next_page_uri` with a `PageToken` (twilio-python
  `twilio/base/page.py` follows it).
- A new message is `queued` with no `date_sent` until it has been sent (`send_delay`); the
  date filters look at `date_sent`, so they cannot match a message still queued.
- A new message can take a while to appear in the list (`list_delay`): users report recent
  messages missing from `messages.list` (twilio/twilio-java#442, twilio/twilio-node#647).
- A `To` that cannot be a phone number (not E.164, or one named with `refuse_number`) gets
  400 with code 21211 and Twilio's own words, which name the number: "The 'To' number
  +166321456 is not a valid phone number." (https://www.twilio.com/docs/api/errors/21211,
  and "Does Twilio check to see if phone numbers can receive SMS?" on support.twilio.com:
  "Twilio will respond to your API request with an HTTP 400 response and Error 21211"),
  for messages and calls alike.
- A create is answered after `answer_delay` seconds, the round trip to api.twilio.com (a few
  hundred milliseconds from Vietnam); `most_in_flight` counts the creates it held at once.
- Fetch (GET Messages/{Sid}.json, Calls/{Sid}.json) answers 404 with code 20404 for an
  unknown SID; wrong credentials get 401 with code 20003.
"""

import datetime as dt
import email.utils
import json
import re
import secrets
import socket
import struct
import threading
import time
from urllib.parse import urlencode

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wrappers import Request, Response

PAGE_SIZE, MAX_PAGE_SIZE = 50, 1000
# A hang lasts past the client's timeout (app.infra.twilio_rest.REST_TIMEOUT_SECONDS is 10 s).
HANG_SECONDS = 12.0
LINGER_ZERO = struct.pack("ii", 1, 0)
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def _rfc2822(moment):
    """Twilio's date format in resources: 'Mon, 01 Mar 2027 03:00:00 +0000'."""
    return email.utils.format_datetime(moment.astimezone(dt.UTC)).replace("-0000", "+0000")


def _day(text):
    """The GMT day a DateSent filter names (Twilio reads it to the day)."""
    return dt.date.fromisoformat(text.strip()[:10])


class _Reset(ConnectionResetError):
    """Raised inside a request to drop its connection with a TCP reset and no answer."""


class _Handler(WSGIRequestHandler):
    """Werkzeug's handler, plus: a request that raised _Reset is reset, not answered."""

    def connection_dropped(self, error, environ=None):
        if isinstance(error, _Reset):
            self.close_connection = True
            # With SO_LINGER on and a zero timeout, close() sends RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_ZERO)


class _Server(ThreadedWSGIServer):
    """Werkzeug's threaded server that closes a reset connection without a FIN first."""

    def shutdown_request(self, request):
        if request.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, len(LINGER_ZERO)) == LINGER_ZERO:
            request.close()
            return
        super().shutdown_request(request)


class FakeTwilioAPI:
    """Serve the part of api.twilio.com the app uses on 127.0.0.1, in a background thread."""

    def __init__(
        self,
        account_sid,
        auth_token,
        *,
        send_delay=1.0,
        list_delay=0.0,
        hang_seconds=HANG_SECONDS,
        answer_delay=0.0,
    ):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.send_delay = send_delay
        self.list_delay = list_delay
        self.hang_seconds = hang_seconds
        self.answer_delay = answer_delay
        self.in_flight = 0
        self.most_in_flight = 0
        self.messages = []
        self.calls = []
        self.requests = []
        self.recordings = {}
        self._refusals = []  # (status, delay): creates refused before anything exists
        self._broken_answers = []  # "500" | "hang" | "reset": created, then answered badly
        self._every = []  # (n, failure): every n-th create is answered badly
        self._list_failures = []  # statuses for the next list reads
        self._invalid_numbers = set()  # To numbers refused with 21211
        self._creates = 0
        self._lock = threading.Lock()
        self._server = _Server("127.0.0.1", 0, self._wsgi, handler=_Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    # Scripting ---------------------------------------------------------------------------

    def fail_next(self, count, status=500, delay=0.0):
        """Refuse the next COUNT creates with STATUS after DELAY seconds; nothing is created."""
        with self._lock:
            self._refusals.extend([(status, delay)] * count)

    def accept_then_fail_next(self, count, failure="500"):
        """Create the next COUNT messages, then answer 500, hang or reset (FAILURE)."""
        with self._lock:
            self._broken_answers.extend([failure] * count)

    def accept_then_fail_every(self, n, failure):
        """Create every N-th message (counting all creates), then answer with FAILURE."""
        with self._lock:
            self._every.append((n, failure))

    def refuse_number(self, phone):
        """Refuse every create to PHONE with 400 and 21211, as for a number that cannot exist."""
        with self._lock:
            self._invalid_numbers.add(phone)

    def fail_lists_next(self, count, status=500):
        """Answer the next COUNT Messages list reads with STATUS."""
        with self._lock:
            self._list_failures.extend([status] * count)

    def add_recording(self, recording_sid, body=b"RIFF-fake-wav"):
        """Store audio bytes that the Recordings endpoint will serve."""
        self.recordings[recording_sid] = body

    def set_call_status(self, call_sid, status):
        """Move a call to STATUS (queued, ringing, in-progress, completed, busy, ...)."""
        with self._lock:
            for call in self.calls:
                if call["sid"] == call_sid:
                    call["status"] = status

    def message_creates(self):
        """The POSTs that asked for a message, in order."""
        return [r for r in self.requests if r[0] == "POST" and r[1].endswith("/Messages.json")]

    # HTTP --------------------------------------------------------------------------------

    def _authorised(self, request):
        auth = request.authorization
        return bool(auth and auth.username == self.account_sid and auth.password == self.auth_token)

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        return self._dispatch(request)(environ, start_response)

    def _dispatch(self, request):
        with self._lock:
            self.requests.append((request.method, request.path, dict(request.form)))
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        prefix = f"/2010-04-01/Accounts/{self.account_sid}/"
        if not request.path.startswith(prefix):
            return self._error(404, 20404, "The requested resource was not found")
        resource = request.path[len(prefix) :]
        if resource.startswith("Recordings/"):
            sid = resource.split("/", 1)[1].rsplit(".", 1)[0]
            if sid not in self.recordings:
                return self._error(404, 20404, "The requested resource was not found")
            return Response(self.recordings[sid], mimetype="audio/mpeg")
        if request.method == "GET" and resource == "Messages.json":
            with self._lock:
                failure = self._list_failures.pop(0) if self._list_failures else None
            if failure:
                return self._error(failure, 20500, "Internal Server Error")
            return self._json(self._list_page(request), 200)
        if request.method == "GET" and resource.endswith(".json") and "/" in resource:
            return self._fetch(resource)
        if request.method == "POST" and resource in ("Messages.json", "Calls.json"):
            with self._lock:
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                answer = self._create(resource, request.form)
                time.sleep(self.answer_delay)
                return answer
            finally:
                with self._lock:
                    self.in_flight -= 1
        return self._error(404, 20404, "The requested resource was not found")

    def _create(self, resource, form):
        to = form.get("To") or ""
        if not E164.fullmatch(to) or to in self._invalid_numbers:
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        with self._lock:
            refusal = self._refusals.pop(0) if self._refusals else None
        if refusal:
            status, delay = refusal
            time.sleep(delay)
            return self._error(status, 20429 if status == 429 else 20500, "Injected failure")
        with self._lock:
            record = (
                self._new_message(form) if resource == "Messages.json" else self._new_call(form)
            )
            failure = None
            if resource == "Messages.json":
                self._creates += 1
                failure = self._broken_answers.pop(0) if self._broken_answers else None
                for n, scripted in self._every:
                    if failure is None and self._creates % n == 0:
                        failure = scripted
        if failure == "hang":
            # Accepted and being sent; the answer comes after the client has given up.
            time.sleep(self.hang_seconds)
        elif failure == "reset":
            raise _Reset("the fake resets this connection")
        elif failure is not None:
            return self._error(int(failure), 20500, "Internal Server Error")
        return self._json(self._view(record), 201)

    def _new_message(self, form):
        now = dt.datetime.now(dt.UTC)
        record = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": self.account_sid,
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
            "status_callback": form.get("StatusCallback"),
            "direction": "outbound-api",
            "created": now,
            "sent": now + dt.timedelta(seconds=self.send_delay),
        }
        self.messages.append(record)
        return record

    def _new_call(self, form):
        record = {
            "sid": "CA" + secrets.token_hex(16),
            "account_sid": self.account_sid,
            "to": form.get("To"),
            "from": form.get("From"),
            "url": form.get("Url"),
            "status": "queued",
            "status_callback": form.get("StatusCallback"),
            "created": dt.datetime.now(dt.UTC),
        }
        self.calls.append(record)
        return record

    def _sent_at(self, record):
        """When Twilio handed the message on, or None while it is still queued."""
        return record["sent"] if dt.datetime.now(dt.UTC) >= record["sent"] else None

    def _view(self, record):
        """A resource as the API renders it (dates in RFC 2822, no private fields)."""
        view = {key: value for key, value in record.items() if key not in ("created", "sent")}
        view["date_created"] = view["date_updated"] = _rfc2822(record["created"])
        if record["sid"].startswith("SM"):
            sent = self._sent_at(record)
            view["status"] = "sent" if sent else "queued"
            view["date_sent"] = _rfc2822(sent) if sent else None
            view["uri"] = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{record['sid']}.json"
        return view

    def _fetch(self, resource):
        kind, sid = resource[: -len(".json")].split("/", 1)
        records = {"Messages": self.messages, "Calls": self.calls}.get(kind, [])
        with self._lock:
            found = next((r for r in records if r["sid"] == sid), None)
        if found is None:
            return self._error(404, 20404, f"The requested resource /{resource} was not found")
        return self._json(self._view(found), 200)

    def _listed(self, args):
        """The messages the list shows for ARGS, newest first."""
        now = dt.datetime.now(dt.UTC)
        with self._lock:
            found = [
                m
                for m in self.messages
                if now - m["created"] >= dt.timedelta(seconds=self.list_delay)
            ]
        for field in ("To", "From"):
            if args.get(field):
                found = [m for m in found if m[field.lower()] == args[field]]
        for name, keep in (
            ("DateSent", lambda day, limit: day == limit),
            ("DateSent>", lambda day, limit: day >= limit),
            ("DateSent<", lambda day, limit: day <= limit),
        ):
            if args.get(name):
                limit = _day(args[name])
                found = [
                    m for m in found if self._sent_at(m) and keep(self._sent_at(m).date(), limit)
                ]
        return sorted(found, key=lambda m: m["created"], reverse=True)

    def _list_page(self, request):
        args = request.args
        size = min(int(args.get("PageSize") or PAGE_SIZE), MAX_PAGE_SIZE)
        page = int(args.get("Page") or 0)
        listed = self._listed(args)
        start = 0
        token = args.get("PageToken", "")
        if token.startswith("PA"):
            sids = [m["sid"] for m in listed]
            start = sids.index(token[2:]) + 1 if token[2:] in sids else len(listed)
        chunk = listed[start : start + size]
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        filters = {k: v for k, v in args.items() if k not in ("Page", "PageSize", "PageToken")}
        more = start + size < len(listed)
        next_uri = None
        if more and chunk:
            query = {
                **filters,
                "PageSize": size,
                "Page": page + 1,
                "PageToken": "PA" + chunk[-1]["sid"],
            }
            next_uri = f"{base}?{urlencode(query)}"
        first = f"{base}?{urlencode({**filters, 'PageSize': size, 'Page': 0})}"
        return {
            "messages": [self._view(m) for m in chunk],
            "first_page_uri": first,
            "next_page_uri": next_uri,
            "previous_page_uri": None,
            "page": page,
            "page_size": size,
            "start": start,
            "end": start + max(len(chunk) - 1, 0),
            "uri": request.full_path,
        }

    @staticmethod
    def _error(status, code, message):
        body = {"code": code, "message": message, "more_info": "", "status": status}
        return Response(json.dumps(body), status=status, mimetype="application/json")

    @staticmethod
    def _json(payload, status):
        return Response(json.dumps(payload), status=status, mimetype="application/json")
