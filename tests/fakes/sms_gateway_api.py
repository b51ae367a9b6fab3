"""A local fake of the SMS Gateway for Android 3rd-party API (POST /messages) for tests.

The real `android-sms-gateway` client talks to it over HTTP. Like the real service it
refuses a second message with an ID it has seen (409 Conflict). Failures can be injected.
"""

import base64
import json
import secrets
import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class FakeSmsGateway:
    """Serve /3rdparty/v1/messages on 127.0.0.1 in a background thread."""

    def __init__(self, username, password):
        self.username = username
        self.password = password
        self.messages = []
        self.posts = 0
        self._failures = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}/3rdparty/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, count, status=500):
        """Make the next COUNT posts fail with STATUS."""
        with self._lock:
            self._failures.extend([status] * count)

    def _authorised(self, request):
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        return self._dispatch(request)(environ, start_response)

    def _dispatch(self, request):
        if not self._authorised(request):
            return self._json({"message": "Unauthorized"}, 401)
        if request.method != "POST" or request.path != "/3rdparty/v1/messages":
            return self._json({"message": "Not found"}, 404)
        with self._lock:
            self.posts += 1
            failure = self._failures.pop(0) if self._failures else None
            if failure:
                return self._json({"message": "Injected failure"}, failure)
            payload = json.loads(request.get_data() or b"{}")
            message_id = payload.get("id") or secrets.token_hex(10)
            if any(message["id"] == message_id for message in self.messages):
                return self._json({"message": "message with this ID already exists"}, 409)
            text = (payload.get("textMessage") or {}).get("text")
            if not text or not payload.get("phoneNumbers"):
                return self._json({"message": "textMessage and phoneNumbers required"}, 400)
            record = {
                "id": message_id,
                "state": "Pending",
                "isHashed": False,
                "isEncrypted": False,
                "recipients": [
                    {"phoneNumber": phone, "state": "Pending"} for phone in payload["phoneNumbers"]
                ],
                "text": text,
                "withDeliveryReport": payload.get("withDeliveryReport"),
            }
            self.messages.append(record)
        return self._json(record, 202)

    @staticmethod
    def _json(payload, status):
        return Response(json.dumps(payload), status=status, mimetype="application/json")
