"""A fake Android phone running SMS Gateway for Android: its API server and its webhooks.

The real `android-sms-gateway` client talks to its API over HTTP, and it posts signed
webhooks to the app over HTTP, as the app does. What it does follows the app's source
(capcom6/android-sms-gateway, read at v1.68) and its cloud server (android-sms-gateway/server):

- Webhooks: the envelope {id, webhookId, event, deviceId, payload} (WebHookEventDTO), null
  fields left out (Gson). `sms:received` carries messageId, message, sender, recipient,
  simNumber, receivedAt and the deprecated phoneNumber (SmsEventPayload); apps before v1.54
  send no `sender` (`payload_style="before-1.54"`), and a newer one may drop `phoneNumber`
  (`"sender-only"`). messageId is a 32-bit hash of the message (ReceiverService). Dates
  are "yyyy-MM-dd'T'HH:mm:ss.SSSXXX" in the phone's zone (extensions/GsonBuilder.kt).
- Signing: X-Signature = hex HMAC-SHA256 of the body followed by X-Timestamp, Unix seconds
  of the phone's own clock, computed again for every attempt (PayloadSingingPlugin). This
  phone's clock is CLOCK_OFFSET seconds off (2 minutes slow by default).
- Retries: any non-2xx or network error is retried after 5 s × 2^n, at most 15 times
  (WebhookQueueRepository.calculateBackoffDelay, WebhooksSettings.retryCount), then dropped.
  Users see the same webhook twice within a second (issues #310, #372): every
  `duplicate_every`-th delivery is posted twice.
- Asleep (Doze, battery optimisation; issues #90, #440): received SMS reach the inbox but no
  webhook, pings stop, and queued webhooks wait. `POST /messages/inbox/export` (local, app
  v1.28+) and the cloud's `/inbox/refresh` re-emit sms:received for the inbox in a window,
  with the original messageId and receivedAt; this phone re-emits every one, as apps before
  v1.66.1 do (later ones skip messages they already processed).
- API: POST /messages (409 for a repeated id, MessagesRoutes), GET /messages/{id},
  DELETE /messages/{id} (cancel: sms:cancelled, app v1.67+), GET/POST/DELETE /webhooks (a
  webhook id is replaced, not duplicated; the URL must be https or http://127.0.0.1,
  WebHooksService.replace), GET /health, GET /device (local) or /devices (cloud). In cloud
  mode the same paths live under /3rdparty/v1, and `device_problem` makes sends answer 400
  as the server does for devices.ErrNotFound/ErrMoreThanOne.
- Android's own limit (AOSP SmsUsageMonitor: DEFAULT_SMS_MAX_COUNT 30 in
  DEFAULT_SMS_CHECK_PERIOD 60,000 ms; `isUnderLimit` adds the parts a message needs, so a
  long message counts once per part): past it Android shows "allow this app to send a
  large number of messages?" and the message waits, Pending, with every one after it,
  until a person taps (android-sms-gateway issues #91, and #81 for the `adb` setting
  sms_outgoing_check_max_count that raises it). `tap()` is that person; `dialogs` counts
  how often the phone needed one.
- Asleep, the app sends nothing either: its messages stay Pending in its own queue (local)
  or on the server until the phone pulls them (cloud), and Pending is the only state a
  cancel takes (MessagesService.cancelMessage: 400 "not in Pending state", 404 unknown;
  the server's 3rdparty DELETE /messages/:id, "must be in Pending state").
- `power_off()`: the phone is off or off the network; its own server (local mode) refuses
  connections. In cloud mode the server still answers for it, from what it holds.
- A long message, part by part (MessagesService.sendSMS: divideMessage, then
  sendMultipartTextMessage with the same sent and delivery intents for every part; this
  phone splits with app.language.texts.segments): Android calls the app back once per part
  with no part number (SmsManager.sendMultipartTextMessage: "one for each message part").
  A part that fails to send gives sms:failed "Send result: RESULT_ERROR_..." and a part
  whose delivery report fails gives sms:failed "Delivery result from SC ...: <status>"
  (processStateIntent); every delivered part gives its own sms:delivered (docs.sms-gate.app,
  Webhooks, "Multipart Message Behavior"; issue #264). sms:sent, with partsCount, comes once:
  processStateIntent drops a sent callback without Android's `uri` extra, and AOSP's
  SmsTracker.onSent/onFailed adds it only once the last part stored the message. Apps with
  the fix of issue #403 (`sent_each_part=True`) count any callback, so sms:sent comes once per
  sent part. A recipient that failed stays Failed (MessagesDao.updateRecipientState: `state
  <> 'Failed'`), but the app still emits every later event (updateState emits what it was
  told). GET /messages/{id} shows Delivered once any part is (status-tracking docs,
  "Multipart Messages": any part delivered); it never shows parts.
- Out of order: the app handles each callback in its own coroutine (receivers/EventsReceiver
  `scope.launch`) and a refused webhook waits for its retry while later ones go, so
  `deliver_webhooks(shuffle=random.Random(n))` posts what is due in any order.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
import time
import zlib
from urllib.parse import urlparse

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

PHONE_ZONE = dt.timezone(dt.timedelta(hours=7))
BACKOFF_BASE_SECONDS = 5
RETRY_COUNT = 15
SMS_MAX_COUNT = 30
SMS_CHECK_PERIOD = 60.0
CLOUD_PREFIX = "/3rdparty/v1"
GENERIC_FAILURE = "RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)"
SMSC = "+84980200030"  # the service centre a delivery report names


def phone_date(moment):
    """A date as the app's Gson writes it: 2026-12-01T08:15:00.000+07:00."""
    local = moment.astimezone(PHONE_ZONE)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}+07:00"


class FakeGatewayPhone:
    """The phone and its app, serving the API on 127.0.0.1 and posting webhooks to the app."""

    def __init__(
        self,
        signing_key,
        *,
        username="sms",
        password="secret",
        mode="local",
        clock_offset=-120.0,
        duplicate_every=4,
        payload_style="current",
        app_version="1.68.0",
        device_id="fakeDevice00000000001",
        own_numbers=("+84280000011", "+84280000022"),
        sent_each_part=False,
    ):
        self.signing_key = signing_key
        self.username, self.password = username, password
        self.mode = mode
        self.clock_offset = clock_offset
        self.duplicate_every = duplicate_every
        self.payload_style = payload_style
        self.app_version = app_version
        self.device_id = device_id
        self.own_numbers = own_numbers
        self.sent_each_part = sent_each_part
        self.asleep = False
        self.powered = True
        self.device_problem = None
        self.inbox = []  # what Android's SMS inbox holds
        self.messages = {}  # outgoing, by id
        self.webhooks = {}  # id -> {"url", "event"}
        self.queue = []  # webhooks waiting to be delivered
        self.posts = []  # every webhook POST made: (event, status or error)
        self.dropped = []  # webhooks given up after RETRY_COUNT tries
        self.api_calls = []
        self._send_failures = []  # statuses for the next sends
        self.usage = []  # (phone time, parts) of what Android let the app send
        self.awaiting_tap = False  # SmsUsageMonitor's dialog is on the screen
        self.dialogs = 0
        self.parts_sent = 0
        self._deliveries = 0
        self._lock = threading.RLock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        root = f"http://127.0.0.1:{self._server.server_port}"
        self.base_url = root + (CLOUD_PREFIX if mode == "cloud" else "")
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def power_off(self):
        """The phone goes off (or off the network): no webhooks, no sends, no local API."""
        self.asleep = True
        self.powered = False
        if self.mode == "local":
            self.__exit__()  # connections to the phone's own server are refused

    # The phone's life ---------------------------------------------------------------------

    def now(self):
        """The phone's clock (which is CLOCK_OFFSET seconds off)."""
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.clock_offset)

    def receive(self, sender, text, sim=1):
        """An SMS from SENDER arrives on SIM: into the inbox, and a webhook if awake."""
        with self._lock:
            date = self.now()
            entry = {"sender": sender, "text": text, "sim": sim, "date": date}
            # InboxMessage.hashCode() over address, date, text and SIM, as an unsigned hex.
            entry["message_id"] = f"{zlib.crc32(f'{sender}|{date}|{text}|{sim}'.encode()):x}"
            self.inbox.append(entry)
            if not self.asleep:
                self._emit("sms:received", self._received_payload(entry))
        return entry

    def sleep(self):
        """Doze: the app stops hearing SMS, pinging and posting webhooks."""
        self.asleep = True

    def wake(self):
        """The app runs again: it pings, and its queued webhooks go out."""
        if not self.powered:
            raise RuntimeError("a phone that was powered off does not wake in this fake")
        self.asleep = False
        self.ping()

    def ping(self):
        """The app's heartbeat (PingService), if it is awake."""
        if not self.asleep:
            with self._lock:
                self._emit("system:ping", {"health": {"status": "pass"}})

    def tap(self):
        """A person taps "Allow" on the dialog: the held message and those after it go on."""
        with self._lock:
            self.awaiting_tap = False
            self.usage = []

    def _under_limit(self, parts):
        """SmsUsageMonitor.isUnderLimit: room for PARTS more in the last 60 s, else the dialog."""
        now = self.now().timestamp()
        self.usage = [(at, n) for at, n in self.usage if now - at < SMS_CHECK_PERIOD]
        if sum(n for _, n in self.usage) + parts <= SMS_MAX_COUNT:
            self.usage.append((now, parts))
            return True
        self.awaiting_tap = True
        self.dialogs += 1
        return False

    def process_outgoing(self, *, fail=(), fail_parts=None, undelivered=None, report=True):
        """Send every pending message, part by part; with REPORT False none is reported.

        Every part of a message whose id is in FAIL fails to send; FAIL_PARTS ({id: {2}})
        names the parts (from 1) that fail to send, UNDELIVERED ({id: {3}}) those whose
        delivery report is a failure. Past Android's limit the phone stops at the dialog:
        nothing more leaves until tap().
        """
        from app.language.texts import segments

        with self._lock:
            if self.asleep:
                return  # the app's sending worker does not run (cloud: nothing is pulled)
            for message in self.messages.values():
                if message["state"] != "Pending":
                    continue
                if self.awaiting_tap:
                    return
                parts = max(1, segments(message["text"]).count)
                if not self._under_limit(parts):
                    return
                self.parts_sent += parts
                message["partsCount"] = parts
                failing = set(range(1, parts + 1)) if message["id"] in fail else set()
                failing |= set((fail_parts or {}).get(message["id"], ()))
                lost = set((undelivered or {}).get(message["id"], ())) - failing
                self._send_parts(message, parts, failing, lost, report)

    def _send_parts(self, message, parts, failing, lost, report):
        """Android's callbacks for each part, and the webhooks the app makes of them."""
        message["state"] = "Processed"
        for part in range(1, parts + 1):
            if part in failing:
                reason = "Send result: " + GENERIC_FAILURE
                self._set_state(message, "Failed", reason)
                if report:
                    self._emit_state(message, "sms:failed", reason)
                continue
            # v1.68 turns only the last part's callback into Sent (the only one with `uri`).
            if self.sent_each_part or part == parts:
                self._set_state(message, "Sent")
                if report:
                    self._emit_state(message, "sms:sent")
        if not message.get("withDeliveryReport", True):
            return
        for part in range(1, parts + 1):
            if part in failing:
                continue  # a part that never left has no delivery report
            if part in lost:
                reason = f"Delivery result from SC {SMSC}: 64"
                self._set_state(message, "Failed", reason)
                if report:
                    self._emit_state(message, "sms:failed", reason)
                continue
            self._set_state(message, "Delivered")
            if report:
                self._emit_state(message, "sms:delivered")

    @staticmethod
    def _set_state(message, state, error=None):
        """MessagesDao.updateRecipientState: a Failed recipient stays Failed."""
        if message["state"] == "Failed":
            return
        message["state"] = state
        message["error"] = error

    def deliver_webhooks(self, shuffle=None):
        """Post every webhook that is due now, retrying failures later; SHUFFLE: in any order."""
        if self.asleep:
            return 0
        posted = 0
        with self._lock:
            due = [item for item in self.queue if item["next_at"] <= time.time()]
        if shuffle is not None:
            shuffle.shuffle(due)
        for item in due:
            ok = self._post(item)
            posted += 1
            with self._lock:
                self._deliveries += 1
                if ok and self.duplicate_every and self._deliveries % self.duplicate_every == 0:
                    self._post(item)  # the same webhook again, within a second
                if ok:
                    self.queue.remove(item)
                    continue
                item["tries"] += 1
                if item["tries"] >= RETRY_COUNT:
                    self.queue.remove(item)
                    self.dropped.append(item)
                    continue
                item["next_at"] = time.time() + BACKOFF_BASE_SECONDS * 2 ** (item["tries"] - 1)
        return posted

    def fail_sends_next(self, count, status=503):
        """Answer the next COUNT sends with STATUS (nothing is queued)."""
        with self._lock:
            self._send_failures.extend([status] * count)

    def delivered(self, event):
        """The payloads of EVENT posted with a 2xx answer, in order."""
        return [
            body["payload"] for name, status, body in self.posts if name == event and status == 200
        ]

    # Webhooks -----------------------------------------------------------------------------

    def _received_payload(self, entry):
        recipient = (
            self.own_numbers[entry["sim"] - 1] if entry["sim"] <= len(self.own_numbers) else None
        )
        payload = {
            "messageId": entry["message_id"],
            "message": entry["text"],
            "sender": entry["sender"],
            "recipient": recipient,
            "simNumber": entry["sim"],
            "phoneNumber": entry["sender"],
            "receivedAt": phone_date(entry["date"]),
        }
        if self.payload_style == "before-1.54":
            for field in ("sender", "recipient"):
                payload.pop(field)
        elif self.payload_style == "sender-only":
            payload.pop("phoneNumber")
        return {key: value for key, value in payload.items() if value is not None}

    def _emit_state(self, message, event, reason=None):
        stamp = phone_date(self.now())
        sim = message.get("simNumber")
        for phone in message["phoneNumbers"]:
            payload = {
                "messageId": message["id"],
                "recipient": phone,
                "phoneNumber": phone,
                "simNumber": sim,
                "sender": self.own_numbers[sim - 1] if sim else None,
            }
            payload.update(
                {
                    "sms:sent": {"partsCount": message.get("partsCount", -1), "sentAt": stamp},
                    "sms:delivered": {"deliveredAt": stamp},
                    "sms:failed": {"failedAt": stamp, "reason": reason or "Unknown"},
                    "sms:cancelled": {"cancelledAt": stamp},
                }[event]
            )
            self._emit(event, {k: v for k, v in payload.items() if v is not None})

    def _emit(self, event, payload):
        """Queue EVENT for every webhook registered for it (WebHooksService.emit)."""
        for hook_id, hook in self.webhooks.items():
            if hook["event"] == event:
                envelope = {
                    "id": secrets.token_urlsafe(15),
                    "webhookId": hook_id,
                    "event": event,
                    "deviceId": self.device_id,
                    "payload": payload,
                }
                self.queue.append(
                    {"url": hook["url"], "body": envelope, "tries": 0, "next_at": time.time()}
                )

    def _post(self, item):
        body = json.dumps(item["body"], ensure_ascii=False).encode()
        timestamp = str(int(self.now().timestamp()))
        signature = hmac.new(
            self.signing_key.encode(), body + timestamp.encode(), hashlib.sha256
        ).hexdigest()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"me.capcom.smsgateway/{self.app_version}",
            "X-Signature": signature,
            "X-Timestamp": timestamp,
        }
        try:
            status = requests.post(item["url"], data=body, headers=headers, timeout=30).status_code
        except requests.RequestException as error:
            status = repr(error)
        with self._lock:
            self.posts.append((item["body"]["event"], status, item["body"]))
        return isinstance(status, int) and 200 <= status < 300

    def _redeliver(self, since, until):
        with self._lock:
            for entry in self.inbox:
                if since <= entry["date"] <= until:
                    self._emit("sms:received", self._received_payload(entry))

    # API ----------------------------------------------------------------------------------

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        return self._dispatch(request)(environ, start_response)

    def _authorised(self, request):
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _dispatch(self, request):
        path = request.path
        if self.mode == "cloud":
            if not path.startswith(CLOUD_PREFIX):
                return self._json({"message": "Not Found"}, 404)
            path = path[len(CLOUD_PREFIX) :]
        self.api_calls.append((request.method, path))
        if path == "/health" and self.mode == "local":
            return self._json({"status": "pass", "version": self.app_version, "checks": {}}, 200)
        if not self._authorised(request):
            return self._json({"message": "Unauthorized"}, 401)
        body = json.loads(request.get_data() or b"{}") if request.method in ("POST", "PUT") else {}
        parts = path.strip("/").split("/")
        with self._lock:
            if path in ("/message", "/messages") and request.method == "POST":
                return self._send(body)
            if parts[0] == "messages" and len(parts) == 2 and parts[1] != "inbox":
                return self._message(request.method, parts[1])
            if path in ("/messages/inbox/export", "/inbox/refresh") and request.method == "POST":
                if (
                    path == "/inbox/refresh"
                    and self.mode == "local"
                    and not body.get("triggerWebhooks")
                ):
                    return Response(status=202)  # the phone's refresh re-emits nothing by default
                since, until = (dt.datetime.fromisoformat(body[k]) for k in ("since", "until"))
                self._redeliver(since, until)
                return Response(status=202)
            if parts[0] in ("webhook", "webhooks"):
                return self._webhooks(request.method, parts[1] if len(parts) > 1 else None, body)
            if path in ("/device", "/devices") and request.method == "GET":
                return self._json(
                    [
                        {
                            "id": self.device_id,
                            "name": "Fake/phone",
                            "lastSeen": phone_date(self.now()),
                        }
                    ],
                    200,
                )
        return self._json({"message": "Not Found"}, 404)

    def _send(self, body):
        if self._send_failures:
            return self._json({"message": "Service Unavailable"}, self._send_failures.pop(0))
        if self.device_problem:
            return self._json({"message": f"failed to select device: {self.device_problem}"}, 400)
        text = (body.get("textMessage") or {}).get("text") or body.get("message")
        if not text or not body.get("phoneNumbers"):
            return self._json({"message": "textMessage and phoneNumbers are required"}, 400)
        message_id = body.get("id") or secrets.token_urlsafe(15)
        if message_id in self.messages:
            return self._json({"message": "message with the same ID already exists"}, 409)
        self.messages[message_id] = {
            "id": message_id,
            "text": text,
            "phoneNumbers": list(body["phoneNumbers"]),
            "simNumber": body.get("simNumber"),
            "withDeliveryReport": body.get("withDeliveryReport", True),
            "state": "Pending",
        }
        return self._json(self._state(self.messages[message_id]), 202)

    def _message(self, method, message_id):
        message = self.messages.get(message_id)
        if message is None:
            return self._json({"message": "message not found"}, 404)
        if method == "DELETE":
            if message["state"] != "Pending":
                return self._json({"message": "message is not pending"}, 400)
            message["state"] = "Cancelled"
            self._emit_state(message, "sms:cancelled")
        return self._json(self._state(message), 200)

    def _state(self, message):
        return {
            "id": message["id"],
            "deviceId": self.device_id,
            "state": message["state"],
            "isHashed": False,
            "isEncrypted": False,
            "recipients": [
                {"phoneNumber": phone, "state": message["state"], "error": message.get("error")}
                for phone in message["phoneNumbers"]
            ],
        }

    def _webhooks(self, method, hook_id, body):
        if method == "GET":
            hooks = [{"id": i, "deviceId": None, **h} for i, h in self.webhooks.items()]
            return self._json(hooks, 200)
        if method == "DELETE" and hook_id:
            self.webhooks.pop(hook_id, None)
            return Response(status=204)
        if method == "POST":
            url = body.get("url") or ""
            parsed = urlparse(url)
            if parsed.scheme != "https" and not (
                parsed.scheme == "http" and parsed.hostname == "127.0.0.1"
            ):
                return self._json(
                    {"message": "url must start with https:// or http://127.0.0.1"}, 400
                )
            hook_id = body.get("id") or secrets.token_urlsafe(15)
            self.webhooks[hook_id] = {"url": url, "event": body["event"]}
            return self._json({"id": hook_id, "deviceId": None, **self.webhooks[hook_id]}, 201)
        return self._json({"message": "Method Not Allowed"}, 405)

    @staticmethod
    def _json(payload, status):
        return Response(json.dumps(payload), status=status, mimetype="application/json")
