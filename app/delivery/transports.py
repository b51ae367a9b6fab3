"""How outbound SMS leave: console (embedded default), Twilio REST, or the Android SIM gateway.

Every transport has `send(message) -> Sent` and `find(message) -> Sent | None`, and raises
`TransportError` when a call did not work. `find` looks a message up at the provider after
an ambiguous attempt (a timeout, a 5xx, a reset connection), when it may or may not exist;
None means the provider definitely has no such message, so sending again is safe.
"""

import dataclasses
import datetime as dt
import logging

import requests
from android_sms_gateway import domain as gateway_domain
from android_sms_gateway import errors as gateway_errors
from twilio.base.exceptions import TwilioException, TwilioRestException
from urllib3.exceptions import NewConnectionError

from app.infra import clock, gateway_api
from app.infra.logs import mask_phone
from app.infra.twilio_rest import rest_client

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One SMS to send, and what a lookup at the provider needs to recognise it."""

    phone: str
    body: str
    # Our id for the message. The gateway uses it as its message id and answers 409 for a
    # repeat (capcom6/android-sms-gateway MessagesRoutes); Twilio has no such field.
    key: str
    outbox_id: int | None = None
    sim_number: int | None = None
    first_attempt_at: dt.datetime | None = None
    # Provider ids that other messages of ours already own: a lookup must not claim them.
    known_ids: frozenset = frozenset()
    # The commune's own Twilio number; None: the first commune's (TWILIO_FROM_NUMBER).
    from_number: str | None = None
    # The gateway device to send through (its channel id and API settings); None: the
    # environment's SMS_GATEWAY_* (the first commune's default device).
    channel_id: int | None = None
    gateway: dict | None = dataclasses.field(default=None, compare=False, repr=False)


@dataclasses.dataclass(frozen=True)
class Sent:
    """What a transport reports for a message the provider has."""

    provider: str
    provider_id: str
    status: str = "sent"
    detail: str | None = None


class TransportError(Exception):
    """A call that did not work.

    PERMANENT: never retry. OPTED_OUT: the number said STOP. AMBIGUOUS: the provider may have
    the message anyway, so look before sending again. SETUP: the provider's account or
    device is not set up (staff must act); retry without using up the message's attempts.
    """

    def __init__(
        self, message, *, code=None, permanent=False, opted_out=False, ambiguous=False, setup=False
    ):
        super().__init__(message)
        self.code = code
        self.permanent = permanent
        self.opted_out = opted_out
        self.ambiguous = ambiguous
        self.setup = setup

    def __str__(self):
        text = super().__str__()
        return f"{self.code}: {text}" if self.code else text


def network_error(provider, error):
    """A TransportError for a requests failure; ambiguous unless no connection was made."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    never_connected = isinstance(error, requests.ConnectTimeout) or isinstance(
        reason, NewConnectionError
    )
    return TransportError(f"{provider} unreachable: {error}", ambiguous=not never_connected)


class ConsoleTransport:
    """The embedded default: logs the SMS and records it as delivered (simulator, dev)."""

    name = "console"

    def send(self, message):
        """Log the message and report it delivered."""
        # Never the text itself: it can hold a resident's name, question or reference.
        log.info("SMS to %s (%s characters)", mask_phone(message.phone), len(message.body))
        return Sent("console", f"console-{message.outbox_id or message.key}", "delivered")

    def find(self, message):
        """The console keeps nothing: every lookup says "not there"."""
        return None


# Twilio ---------------------------------------------------------------------------------

TWILIO_OPTED_OUT = 21610  # the recipient replied STOP to our number
TWILIO_PERMANENT = {
    21211,  # invalid 'To' number
    21408,  # no permission to send to that region
    21612,  # 'To' unreachable from this number
    21614,  # 'To' is not a mobile number (a landline cannot receive SMS)
}
# Our clock and Twilio's may differ; a lookup reaches this far before the first attempt.
LOOKUP_SLACK = dt.timedelta(minutes=5)
LOOKUP_PAGE_SIZE = 20
LOOKUP_LIMIT = 200


def classify_twilio_error(error):
    """Turn a TwilioRestException into a TransportError (opt-out, permanent or transient)."""
    code = error.code
    status = error.status or 0
    if code == TWILIO_OPTED_OUT:
        return TransportError(error.msg, code=code, opted_out=True)
    # 4xx other than auth and rate limits is about this message, so retrying cannot help;
    # 401/403 (bad credentials) and 429/5xx may clear up, so they retry.
    permanent = code in TWILIO_PERMANENT or (400 <= status < 500 and status not in (401, 403, 429))
    # A 5xx may come after Twilio created the message (error 20500's page says so).
    return TransportError(
        error.msg, code=code or status, permanent=permanent, ambiguous=status >= 500
    )


class TwilioTransport:
    """Twilio Programmable Messaging through the REST client, with a status callback."""

    name = "twilio"

    def __init__(self, config):
        self.from_number = config["TWILIO_FROM_NUMBER"]
        self.client = rest_client(config)
        self.status_callback = config["PUBLIC_BASE_URL"].rstrip("/") + "/sms/twilio/status"

    def send(self, message):
        """Create the message; Twilio's REST API is not idempotent, so this is one send."""
        try:
            created = self.client.messages.create(
                to=message.phone,
                from_=message.from_number or self.from_number,
                body=message.body,
                status_callback=self.status_callback,
            )
        except TwilioRestException as error:
            raise classify_twilio_error(error) from error
        except requests.RequestException as error:
            raise network_error("twilio", error) from error
        except TwilioException as error:
            raise TransportError(f"twilio: {error}", ambiguous=True) from error
        return Sent("twilio", created.sid, created.status or "queued")

    def find(self, message):
        """Look MESSAGE up in the Messages list (To, our From, since the first attempt, body).

        The list comes newest first, so reading stops at the first message created before
        the window. The window is applied to date_created here rather than with DateSent>,
        which Twilio reads to the day and which cannot match a message still queued.
        """
        since = (message.first_attempt_at or clock.now()) - LOOKUP_SLACK
        try:
            for found in self.client.messages.stream(
                to=message.phone,
                from_=message.from_number or self.from_number,
                page_size=LOOKUP_PAGE_SIZE,
                limit=LOOKUP_LIMIT,
            ):
                if found.date_created is not None and found.date_created < since:
                    break
                if found.sid in message.known_ids:
                    continue
                if (found.body or "").strip() == message.body.strip():
                    return Sent("twilio", found.sid, found.status or "queued")
        except TwilioRestException as error:
            raise TransportError(
                f"lookup failed: {error.msg}", code=error.code or error.status, ambiguous=True
            ) from error
        except requests.RequestException as error:
            raise TransportError(f"lookup failed: {error}", ambiguous=True) from error
        except TwilioException as error:
            raise TransportError(f"lookup failed: {error}", ambiguous=True) from error
        return None


# SMS Gateway for Android ----------------------------------------------------------------

GATEWAY_STATES = {
    "pending": "queued",
    "processed": "sending",
    "cancelling": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "failed": "failed",
    "cancelled": "cancelled",
}


def gateway_status(state):
    """Map a gateway ProcessState (or its text) onto the SMS log's statuses."""
    text = getattr(state, "value", state) or ""
    return GATEWAY_STATES.get(text.lower(), text.lower())


def classify_gateway_error(error):
    """Turn the client's APIError into a TransportError (set-up, permanent or transient)."""
    status = error.status_code or 0
    text = gateway_api.error_text(error)
    if gateway_api.is_device_problem(error):
        return TransportError(f"gateway set-up: {text}", code=status, setup=True)
    permanent = 400 <= status < 500 and status != 429
    return TransportError(text, code=status or None, permanent=permanent, ambiguous=status >= 500)


def _recipient_error(state):
    """The first recipient's error text of a MessageState, if any."""
    return next((r.error for r in state.recipients if r.error), None)


class GatewayTransport:
    """SMS Gateway for Android (a local Vietnamese SIM) through the android-sms-gateway client.

    The outbox row's key is the gateway's message id, so the gateway itself refuses a second
    copy (409, read as "already accepted"), and `find` asks for the message's state.
    """

    name = "gateway"

    def __init__(self, config):
        self.config = config

    def send(self, message):
        """Post the message to the gateway, from the SIM the resident wrote to, if known."""
        request = gateway_domain.Message(
            phone_numbers=[message.phone],
            text_message=gateway_domain.TextMessage(text=message.body),
            with_delivery_report=True,
            id=message.key,
            sim_number=message.sim_number,
        )
        try:
            with gateway_api.api(message.gateway or self.config) as client:
                state = client.send(request)
        except gateway_errors.APIError as error:
            if error.status_code == 409:
                return Sent("gateway", message.key, "queued")
            raise classify_gateway_error(error) from error
        except requests.RequestException as error:
            raise network_error("gateway", error) from error
        return Sent("gateway", state.id, gateway_status(state.state), _recipient_error(state))

    def find(self, message):
        """Ask the gateway for the message's state; None when it has never heard of it."""
        try:
            state = gateway_api.message_state(message.gateway or self.config, message.key)
        except gateway_errors.APIError as error:
            failure = classify_gateway_error(error)
            failure.ambiguous = True
            raise failure from error
        except requests.RequestException as error:
            raise TransportError(f"gateway lookup failed: {error}", ambiguous=True) from error
        if state is None:
            return None
        return Sent("gateway", state.id, gateway_status(state.state), _recipient_error(state))


TRANSPORTS = {"console": ConsoleTransport, "twilio": TwilioTransport, "gateway": GatewayTransport}


def from_config(config):
    """Build the transport named by SMS_TRANSPORT in CONFIG (the app's configuration)."""
    name = config.get("SMS_TRANSPORT") or "console"
    if name not in TRANSPORTS:
        raise ValueError(f"SMS_TRANSPORT must be one of {', '.join(TRANSPORTS)}, not {name!r}")
    cls = TRANSPORTS[name]
    return cls() if name == "console" else cls(config)
