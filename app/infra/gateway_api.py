"""The SMS Gateway for Android's API, through the android-sms-gateway client.

One home for what the app asks the gateway (send, message state, inbox re-delivery, webhook
registration) and for reading its errors. Two modes keep separate webhook lists
(capcom6/android-sms-gateway): local, the phone's own server at http://<phone-ip>:8080, and
cloud or private server, whose 3rd-party API lives under /3rdparty/v1.
"""

import contextlib
import dataclasses

import requests
from android_sms_gateway import client as gateway_client
from android_sms_gateway import domain
from android_sms_gateway import errors as gateway_errors
from android_sms_gateway import http as gateway_http
from android_sms_gateway.constants import DEFAULT_URL
from android_sms_gateway.enums import WebhookDelivery, WebhookEvent

TIMEOUT_SECONDS = 15
# The events the app must hear about, each registered under a fixed id so that registering
# again replaces the hook instead of adding a second one (both servers upsert by id).
WEBHOOK_EVENTS = (
    WebhookEvent.SMS_RECEIVED,
    WebhookEvent.SMS_SENT,
    WebhookEvent.SMS_DELIVERED,
    WebhookEvent.SMS_FAILED,
    WebhookEvent.SMS_CANCELLED,
    WebhookEvent.SYSTEM_PING,
)
# A 400 from the cloud server that is about the account's devices, not about the message
# (android-sms-gateway/server handlers/messages/3rdparty.go errorHandler: devices.ErrNotFound,
# ErrInvalidFilter, ErrInvalidUser, ErrMoreThanOne; the phone's own server says "Invalid
# device ID").
DEVICE_PROBLEMS = (
    "failed to select device",
    "record not found",
    "more than one record",
    "invalid filter",
    "invalid user",
    "invalid device id",
)


class _TimeoutSession(requests.Session):
    """A requests session with a default timeout (the gateway client sets none)."""

    def request(self, method, url, **kwargs):
        """Make the request with TIMEOUT_SECONDS unless a timeout is given."""
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(method, url, **kwargs)


def base_url(config):
    """The configured API address, or the public cloud server's."""
    return (config.get("SMS_GATEWAY_URL") or DEFAULT_URL).rstrip("/")


def mode(config):
    """Tell "cloud" (a /3rdparty/v1 API) from "local" (the phone's own server)."""
    return "cloud" if "/3rdparty/" in base_url(config) + "/" else "local"


def configured(config):
    """Tell whether the app can call a gateway (an address or credentials are set)."""
    return bool(config.get("SMS_GATEWAY_URL") or config.get("SMS_GATEWAY_PASSWORD"))


def in_use(config):
    """Tell whether a gateway is set up at all: it sends for us, or may call our webhook."""
    return (
        config.get("SMS_TRANSPORT") == "gateway"
        or bool(config.get("SMS_GATEWAY_SIGNING_KEY"))
        or configured(config)
    )


@contextlib.contextmanager
def api(config):
    """Yield an APIClient for the configured gateway, with a bounded timeout."""
    http = gateway_http.RequestsHttpClient(session=_TimeoutSession())
    try:
        with gateway_client.APIClient(
            config.get("SMS_GATEWAY_USERNAME") or None,
            config.get("SMS_GATEWAY_PASSWORD") or "",
            base_url=base_url(config),
            http=http,
        ) as client:
            yield client
    finally:
        http.__exit__(None, None, None)


def error_text(error):
    """The server's own words for an APIError (its JSON `message`), else the HTTP reason."""
    body = error.response if isinstance(error.response, dict) else {}
    return str(body.get("message") or body.get("error") or error)


def is_device_problem(error):
    """Tell whether an APIError is about the gateway's set-up (devices, credentials)."""
    status = error.status_code or 0
    if status in (401, 403):
        return True
    return status == 400 and any(p in error_text(error).lower() for p in DEVICE_PROBLEMS)


def message_state(config, message_id):
    """Return the gateway's MessageState for MESSAGE_ID, or None when it has no such message."""
    with api(config) as client:
        try:
            return client.get_state(message_id)
        except gateway_errors.NotFoundError:
            return None


def cancel(config, message_id):
    """Ask the gateway to cancel MESSAGE_ID; return its state afterwards, or None if unknown.

    The app cancels only a message still Pending (DELETE /messages/{id}, app v1.67+); one
    already handed to Android answers 400 and keeps its state, which the caller reads.
    """
    with api(config) as client:
        try:
            client.cancel_message(message_id)
        except gateway_errors.NotFoundError:
            return None
        except gateway_errors.APIError as error:
            if (error.status_code or 0) != 400:
                raise
        try:
            return client.get_state(message_id)
        except gateway_errors.NotFoundError:
            return None


def redeliver_inbox(config, since, until, device_id=None):
    """Ask the phone to send its inbox received between SINCE and UNTIL as webhooks again."""
    with api(config) as client:
        if mode(config) == "cloud":
            request = domain.InboxRefreshRequest(
                since=since,
                until=until,
                device_id=device_id,
                webhook_delivery=WebhookDelivery.INDIVIDUAL,
            )
            return client.refresh_inbox(request)
        # The phone's own /inbox/refresh re-emits nothing unless told to with a field the
        # client cannot send; /messages/inbox/export always re-emits (app v1.28+).
        export = domain.MessagesExportRequest(device_id=device_id or "", since=since, until=until)
        return client.export_inbox(export)


@dataclasses.dataclass(frozen=True)
class Registration:
    """What `register_webhooks` did for one event."""

    event: str
    webhook_id: str
    url: str


def webhook_id(event):
    """The fixed id under which EVENT's webhook is registered."""
    return "hamlet-line-" + event.value.replace(":", "-")


def register_webhooks(config, url):
    """Register (or replace) one webhook per event in WEBHOOK_EVENTS pointing at URL."""
    done = []
    with api(config) as client:
        for event in WEBHOOK_EVENTS:
            hook = client.create_webhook(domain.Webhook(id=webhook_id(event), url=url, event=event))
            done.append(Registration(event.value, hook.id or webhook_id(event), hook.url))
        # A hook registered by hand for the same address would send every event twice.
        ours = {webhook_id(event) for event in WEBHOOK_EVENTS}
        for hook in client.get_webhooks():
            if hook.id and hook.url == url and hook.id not in ours:
                client.delete_webhook(hook.id)
    return done
