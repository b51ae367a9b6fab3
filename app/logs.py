"""What logs may hold: phone numbers cut to their last 3 digits, keys and tokens never.

Logs are copied, rotated, mailed and read by people who need no resident's number. Every log
line goes through `redact`, at the source where we log a number on purpose (`mask_phone`)
and once more in a logging filter for whatever a library or an exception message adds.
"""

import logging
import re
from urllib.parse import unquote_plus

# A phone in any written form: E.164 (also %2B-encoded in a URL), national with spaces,
# dots or dashes. 9 to 15 digits, so a date (8) or a reference code (5-6) stays readable.
_PHONE = re.compile(r"(?<![\w%])(?:(?:\+|%2[Bb])\s?)?\d(?:(?:%20|[ .\-+])?\d){8,14}(?![\w])")
# Secrets in query strings and form-like text: ?api_key=..., &token=..., password=...
_SECRET = re.compile(r"(?i)\b(api_key|apikey|key|token|auth_token|password|signature)=([^&\s\"']+)")
_DIGIT = re.compile(r"\d")


def mask_phone(phone):
    """Return PHONE as '***' plus its last 3 digits ('+84912345678' -> '***678')."""
    digits = _DIGIT.findall(unquote_plus(str(phone or "")))
    return "***" + "".join(digits[-3:]) if digits else ""


def redact(text):
    """Return TEXT with every phone masked and every key, token or password replaced."""
    text = _SECRET.sub(lambda match: f"{match.group(1)}=[redacted]", str(text))
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
