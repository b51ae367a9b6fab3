"""Provider signatures on webhooks: the Twilio check as one decorator the channels share."""

import functools
import hmac
import logging

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"


def public_url():
    """Return the URL the provider called: PUBLIC_BASE_URL plus path and query.

    Only the configured base counts. X-Forwarded-Host and friends would let a client choose
    the URL, so that a request Twilio signed for another URL (another app, another endpoint)
    validated here; TRUSTED_PROXIES (ProxyFix) never reaches this check either.
    """
    full_path = request.full_path if request.query_string else request.path
    return current_app.config["PUBLIC_BASE_URL"] + full_path


def has_body():
    """Tell whether the request carries a body (a GET webhook has only its query string)."""
    return (
        bool(request.content_length)
        or bool(request.mimetype)
        or "chunked" in (request.headers.get("Transfer-Encoding", "").lower())
    )


def twilio_signature_valid():
    """Check X-Twilio-Signature over the public URL and the form, computing it once."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"])
    expected = validator.compute_signature(public_url(), request.form)
    # Bytes: a header may hold any latin-1 text, which compare_digest refuses as str.
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def require_twilio_signature(view):
    """Refuse a request with 415 unless its body is a form, and 403 unless Twilio signed it.

    Twilio's signature covers form fields only, so any other body (multipart, JSON) could
    carry fields nobody signed: it is refused before anything reads it.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if has_body() and request.mimetype != FORM:
            log.warning("refused a %s body on Twilio route %s", request.mimetype, request.path)
            abort(415)
        if not twilio_signature_valid():
            log.warning("refused unsigned or forged Twilio request to %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapper
