"""A local fake of the Twilio REST API (Messages, Calls, Recordings) for tests and benchmarks.

The real `twilio` client talks to it over HTTP, so request building, auth and error
handling are exercised for real. Failures can be injected: HTTP errors and slow replies.
"""

import json
import secrets
import threading
import time

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class FakeTwilioAPI:
    """Serve a small subset of api.twilio.com on 127.0.0.1 in a background thread."""

    def __init__(self, account_sid, auth_token):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages = []
        self.calls = []
        self.requests = []
        self.recordings = {}
        self._failures = []  # queue of (status_code, delay_seconds)
        self._lost_replies = 0  # creates that succeed but whose answer never arrives
        self._idempotent = {}
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, count, status=500, delay=0.0):
        """Make the next COUNT create calls fail with STATUS, after DELAY seconds."""
        with self._lock:
            self._failures.extend([(status, delay)] * count)

    def lose_reply_next(self, count, status=502):
        """Make the next COUNT creates succeed here but answer STATUS, as a dropped reply."""
        with self._lock:
            self._lost_replies += count

    def add_recording(self, recording_sid, body=b"RIFF-fake-wav"):
        """Store audio bytes that the Recordings endpoint will serve."""
        self.recordings[recording_sid] = body

    def _authorised(self, request):
        auth = request.authorization
        return bool(auth and auth.username == self.account_sid and auth.password == self.auth_token)

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        response = self._dispatch(request)
        return response(environ, start_response)

    def _dispatch(self, request):
        self.requests.append((request.method, request.path, dict(request.form)))
        if not self._authorised(request):
            return self._json({"code": 20003, "message": "Authenticate", "status": 401}, 401)
        prefix = f"/2010-04-01/Accounts/{self.account_sid}/"
        if not request.path.startswith(prefix):
            return self._json({"code": 20404, "message": "Not found", "status": 404}, 404)
        resource = request.path[len(prefix) :]
        if resource.startswith("Recordings/"):
            sid = resource.split("/", 1)[1].rsplit(".", 1)[0]
            if sid not in self.recordings:
                return self._json({"code": 20404, "message": "Not found", "status": 404}, 404)
            return Response(self.recordings[sid], mimetype="audio/mpeg")
        if request.method != "POST" or resource not in ("Messages.json", "Calls.json"):
            return self._json({"code": 20404, "message": "Not found", "status": 404}, 404)
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure:
            status, delay = failure
            time.sleep(delay)
            return self._json(
                {"code": 20500, "message": "Injected failure", "status": status}, status
            )
        token = request.headers.get("I-Twilio-Idempotency-Token")
        with self._lock:
            if token and token in self._idempotent:
                return self._json(self._idempotent[token], 201)
            record = self._create(resource, request.form)
            if token:
                self._idempotent[token] = record
            lost = self._lost_replies > 0
            if lost:
                self._lost_replies -= 1
        if lost:
            # The message exists now, but the caller only sees a gateway error.
            return self._json({"code": 20500, "message": "Bad gateway", "status": 502}, 502)
        return self._json(record, 201)

    def _create(self, resource, form):
        if resource == "Messages.json":
            record = {
                "sid": "SM" + secrets.token_hex(16),
                "to": form.get("To"),
                "from": form.get("From"),
                "body": form.get("Body"),
                "status": "queued",
                "status_callback": form.get("StatusCallback"),
                "account_sid": self.account_sid,
            }
            self.messages.append(record)
        else:
            record = {
                "sid": "CA" + secrets.token_hex(16),
                "to": form.get("To"),
                "from": form.get("From"),
                "url": form.get("Url"),
                "status": "queued",
                "status_callback": form.get("StatusCallback"),
                "account_sid": self.account_sid,
            }
            self.calls.append(record)
        return record

    @staticmethod
    def _json(payload, status):
        return Response(json.dumps(payload), status=status, mimetype="application/json")
