"""The Twilio REST client, built from config (and pointed at a local fake in tests)."""

from flask import current_app
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

REST_TIMEOUT_SECONDS = 10


def rest_client(config=None):
    """Return a twilio Client for the configured account, with a bounded timeout."""
    config = config or current_app.config
    # TwilioHttpClient passes the timeout to requests (connect and read) and retries
    # nothing by itself (max_retries unset), so each call here is one HTTP request.
    timeout = config.get("TWILIO_REST_TIMEOUT") or REST_TIMEOUT_SECONDS
    client = Client(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_AUTH_TOKEN"],
        http_client=TwilioHttpClient(timeout=timeout),
    )
    if config.get("TWILIO_API_BASE_URL"):
        # The Api domain's base_url is its configurable endpoint; tests use a local fake.
        client.api.base_url = config["TWILIO_API_BASE_URL"].rstrip("/")
    return client
