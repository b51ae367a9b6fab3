"""How outbound SMS leave: console (embedded default), Twilio REST, or the Android SIM gateway.

Every transport has `send(phone, body, *, idempotency_key, outbox_id) -> Sent` and
raises `TransportError` (permanent, opted_out) when the message did not go out.
"""

import contextlib
import dataclasses
import logging
import threading

import requests
from android_sms_gateway import client as gateway_client
from android_sms_gateway import domain as gateway_domain
from android_sms_gateway import errors as gateway_errors
from android_sms_gateway import http as gateway_http
from flask import current_app
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient

from app.logs import mask_phone
from app.twilio_rest import REST_TIMEOUT_SECONDS, rest_client


@dataclasses.dataclass(frozen=True)
class Sent:
    """What a transport reports for an accepted message."""

    provider: str
    provider_id: str
    status: str = "sent"


class TransportError(Exception):
    """A send that did not go out. PERMANENT: never retry. OPTED_OUT: the number said STOP."""

    def __init__(self, message, *, code=None, permanent=False, opted_out=False):
        super().__init__(message)
        self.code = code
        self.permanent = permanent
        self.opted_out = opted_out

    def __str__(self):
        text = super().__str__()
        return f"{self.code}: {text}" if self.code else text


log = logging.getLogger(__name__)

# Twilio error codes with a fixed meaning for us.
TWILIO_OPTED_OUT = 21610  # the recipient replied STOP to our number
TWILIO_PERMANENT = {
    21211,  # invalid 'To' number
    21408,  # no permission to send to that region
    21612,  # 'To' unreachable from this number
    21614,  # 'To' is not a mobile number (a landline cannot receive SMS)
}
GATEWAY_TIMEOUT_SECONDS = 15


class ConsoleTransport:
    """The embedded default: logs the SMS and records it as delivered (simulator, dev)."""

    name = "console"

    def send(self, phone, body, *, idempotency_key, outbox_id=None):
        """Log the message and report it delivered."""
        # Never the text itself: it can hold a resident's name, question or reference.
        log.info("SMS to %s (%s characters)", mask_phone(phone), len(body))
        return Sent("console", f"console-{outbox_id or idempotency_key}", "delivered")


class _IdempotentHttpClient(TwilioHttpClient):
    """Twilio's HTTP client plus the I-Twilio-Idempotency-Token header while one is set.

    twilio 9.13's messages.create() takes no extra headers, and the SDK's documented way
    to change requests is a custom http_client; the token is per thread.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._local = threading.local()

    @contextlib.contextmanager
    def idempotency(self, token):
        """Send TOKEN as the idempotency header on requests made inside the block."""
        self._local.token = token
        try:
            yield
        finally:
            self._local.token = None

    def request(self, method, url, params=None, data=None, headers=None, **kwargs):
        """Add the idempotency header, then make the request as usual."""
        token = getattr(self._local, "token", None)
        if token:
            headers = {**(headers or {}), "I-Twilio-Idempotency-Token": token}
        return super().request(method, url, params=params, data=data, headers=headers, **kwargs)


def classify_twilio_error(error):
    """Turn a TwilioRestException into a TransportError (opt-out, permanent or transient)."""
    code = error.code
    if code == TWILIO_OPTED_OUT:
        return TransportError(error.msg, code=code, opted_out=True)
    # 4xx other than auth and rate limits is about this message, so retrying cannot help;
    # 401/403 (bad credentials) and 429/5xx may clear up, so they retry.
    permanent = code in TWILIO_PERMANENT or (
        400 <= (error.status or 0) < 500 and error.status not in (401, 403, 429)
    )
    return TransportError(error.msg, code=code or error.status, permanent=permanent)


class TwilioTransport:
    """Twilio Programmable Messaging through the REST client, with a status callback."""

    name = "twilio"

    def __init__(self, config):
        self.config = config
        self.http = _IdempotentHttpClient(timeout=REST_TIMEOUT_SECONDS)
        self.client = rest_client(config)
        self.client.http_client = self.http
        self.status_callback = config["PUBLIC_BASE_URL"].rstrip("/") + "/sms/twilio/status"

    def send(self, phone, body, *, idempotency_key, outbox_id=None):
        """Create the message; a resend with the same key returns the first one."""
        try:
            with self.http.idempotency(idempotency_key):
                message = self.client.messages.create(
                    to=phone,
                    from_=self.config["TWILIO_FROM_NUMBER"],
                    body=body,
                    status_callback=self.status_callback,
                )
        except TwilioRestException as error:
            raise classify_twilio_error(error) from error
        except (TwilioException, requests.RequestException) as error:
            raise TransportError(f"twilio unreachable: {error}") from error
        return Sent("twilio", message.sid, message.status or "queued")


class _TimeoutSession(requests.Session):
    """A requests session with a default timeout (the gateway client sets none)."""

    def request(self, method, url, **kwargs):
        """Make the request with GATEWAY_TIMEOUT_SECONDS unless a timeout is given."""
        kwargs.setdefault("timeout", GATEWAY_TIMEOUT_SECONDS)
        return super().request(method, url, **kwargs)


class GatewayTransport:
    """SMS Gateway for Android (a local Vietnamese SIM) through the android-sms-gateway client.

    The outbox idempotency key is sent as the message ID; the gateway refuses a second
    message with the same ID (409), which we read as "already accepted".
    """

    name = "gateway"

    def __init__(self, config):
        self.base_url = config["SMS_GATEWAY_URL"].rstrip("/")
        self.username = config["SMS_GATEWAY_USERNAME"] or None
        self.password = config["SMS_GATEWAY_PASSWORD"]

    def send(self, phone, body, *, idempotency_key, outbox_id=None):
        """Post the message to the gateway and return its message ID."""
        message = gateway_domain.Message(
            phone_numbers=[phone],
            text_message=gateway_domain.TextMessage(text=body),
            with_delivery_report=True,
            id=idempotency_key,
        )
        http = gateway_http.RequestsHttpClient(session=_TimeoutSession())
        try:
            with gateway_client.APIClient(
                self.username, self.password, base_url=self.base_url, http=http
            ) as api:
                state = api.send(message)
        except gateway_errors.APIError as error:
            if error.status_code == 409:
                return Sent("gateway", idempotency_key, "queued")
            status = error.status_code or 0
            permanent = status == 400
            raise TransportError(str(error), code=status or None, permanent=permanent) from error
        except requests.RequestException as error:
            raise TransportError(f"gateway unreachable: {error}") from error
        finally:
            http.__exit__(None, None, None)
        return Sent("gateway", state.id, _gateway_status(state.state.value))


def _gateway_status(state):
    """Map a gateway message state onto the SMS log's statuses."""
    return {"pending": "queued", "processed": "sending", "cancelled": "failed"}.get(
        state.lower(), state.lower()
    )


TRANSPORTS = {"console": ConsoleTransport, "twilio": TwilioTransport, "gateway": GatewayTransport}


def from_config(config=None):
    """Build the transport named by SMS_TRANSPORT."""
    config = config or current_app.config
    name = config.get("SMS_TRANSPORT") or "console"
    if name not in TRANSPORTS:
        raise ValueError(f"SMS_TRANSPORT must be one of {', '.join(TRANSPORTS)}, not {name!r}")
    cls = TRANSPORTS[name]
    return cls() if name == "console" else cls(config)
