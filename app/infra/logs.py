"""What logs may hold: phone numbers cut to their last 3 digits, keys and tokens never.

Logs are copied, rotated, mailed and read by people who need no resident's number. Every log
line goes through `redact`, at the source where we log a number on purpose (`mask_phone`)
and once more in a logging filter for whatever a library or an exception message adds.
"""

import logging
import re
from urllib.parse import unquote_plus

# A phone in any written form: E.164 (also %2B-encoded in a URL), national from its 0, or 84
# without the plus; spaces, dots or dashes between digits. 9 to 15 digits in all. A number
# must start like a phone, so that a status and a size ("200 194906"), a time
# ("2026-12-02 07:30"), a client address ("203.113.155.245") or a browser version
# ("Chrome/131.0.6778.135") stay readable; a dotted IPv4 address never counts.
_IPV4 = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\d.])"
_PHONE = re.compile(
    rf"(?<![\w%])(?!{_IPV4})(?:(?:\+|%2[Bb])\s?\d|0|84)(?:(?:%20|[ .\-+])?\d){{8,14}}(?!\w)"
)
# Secrets in query strings and form-like text: ?api_key=..., &token=..., password=..., also
# with the name percent-encoded (api%5Fkey), which Werkzeug decodes to the same parameter.
_ASSIGNMENT = re.compile(r"(?<![\w%])((?:[A-Za-z0-9_.\-]|%[0-9A-Fa-f]{2})+)=([^&\s\"']+)")
_SECRET_NAMES = {"key", "token", "password", "passwd", "secret", "signature", "apikey"}
_SECRET_ENDINGS = ("_key", "_token", "_secret", "_password", "_signature", "apikey")
_DIGIT = re.compile(r"\d")


def mask_phone(phone):
    """Return PHONE as '***' plus its last 3 digits ('+84912345678' -> '***678')."""
    digits = _DIGIT.findall(unquote_plus(str(phone or "")))
    return "***" + "".join(digits[-3:]) if digits else ""


def _is_secret_name(name):
    """Tell whether a parameter NAME (perhaps percent-encoded) holds a key, token or password."""
    plain = unquote_plus(name).lower().replace("-", "_")
    return plain in _SECRET_NAMES or plain.endswith(_SECRET_ENDINGS)


def _hide_secret(match):
    name = match.group(1)
    return f"{name}=[redacted]" if _is_secret_name(name) else match.group(0)


def redact(text):
    """Return TEXT with every phone masked and every key, token or password replaced."""
    text = _ASSIGNMENT.sub(_hide_secret, str(text))
    return _PHONE.sub(lambda match: mask_phone(match.group(0)), text)


class RedactingFilter(logging.Filter):
    """A handler filter that redacts each record's final message (and its traceback)."""

    def filter(self, record):
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = redact(message), ()
        return True


def install(logger=None):
    """Put the redacting filter on every handler of LOGGER (the root logger by default)."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(existing, RedactingFilter) for existing in handler.filters):
            handler.addFilter(RedactingFilter())
