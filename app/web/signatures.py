"""Provider signatures on webhooks: the Twilio check as one decorator the channels share."""

import functools
import logging

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def public_url():
    """Return the URL the provider called: PUBLIC_BASE_URL plus path and query."""
    full_path = request.full_path if request.query_string else request.path
    return current_app.config["PUBLIC_BASE_URL"] + full_path


def candidate_urls():
    """URLs a valid signature may cover: the configured public one, then the proxied one."""
    urls = [public_url()]
    forwarded_host = request.headers.get("X-Forwarded-Host")
    if forwarded_host:
        scheme = request.headers.get("X-Forwarded-Proto", request.scheme)
        path = request.headers.get("X-Forwarded-Path") or request.full_path.rstrip("?")
        urls.append(f"{scheme}://{forwarded_host}{path}")
    urls.append(request.url)
    return list(dict.fromkeys(urls))


def twilio_signature_valid():
    """Check X-Twilio-Signature against the auth token and the candidate URLs."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"])
    form = request.form if request.mimetype == "application/x-www-form-urlencoded" else {}
    return any(validator.validate(url, form, signature) for url in candidate_urls())


def require_twilio_signature(view):
    """Refuse a request with 403 unless Twilio (or our own simulator) signed it."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not twilio_signature_valid():
            log.warning("refused unsigned or forged Twilio request to %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapper
