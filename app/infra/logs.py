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
# Secrets in form-like text: api_key=..., token=..., password=..., also with the name
# percent-encoded (api%5Fkey), which Werkzeug decodes to the same parameter. ";" ends a value
# too: a query string is cut at "&" only, so "?page_size=1;api_key=K" has no api_key parameter,
# but the key is in the line all the same.
_ASSIGNMENT = re.compile(r"(?<![\w%])((?:[A-Za-z0-9_.\-]|%[0-9A-Fa-f]{2})+)=([^&;\s\"']+)")
# A query string in a request line or URL: up to the end of the word or a closing quote.
_QUERY = re.compile(r"\?([^\s\"#]*)")
# A name=value inside a decoded value ("1;api_key=K", "x\x00api_key=K").
_INNER_ASSIGNMENT = re.compile(r"([^\s=&;,]+)=")
_SECRET_NAMES = {"key", "token", "password", "passwd", "secret", "signature", "apikey"}
_SECRET_ENDINGS = ("_key", "_token", "_secret", "_password", "_signature", "apikey")
_NOT_NAME = re.compile(r"[^a-z0-9_]")
_DIGIT = re.compile(r"\d")


def mask_phone(phone):
    """Return PHONE as '***' plus its last 3 digits ('+84912345678' -> '***678')."""
    digits = _DIGIT.findall(unquote_plus(str(phone or "")))
    return "***" + "".join(digits[-3:]) if digits else ""


def _decoded(text):
    """TEXT percent-decoded as Werkzeug decodes a query, and again for a twice-encoded name."""
    for _ in range(3):
        plain = unquote_plus(text, errors="replace")
        if plain == text:
            break
        text = plain
    return text


def _is_secret_name(name):
    """Tell whether a parameter NAME (perhaps percent-encoded) holds a key, token or password.

    Anything but letters, digits and "_" is dropped first, so "api_key%00", "api_key[]" and
    "api-key " all count as api_key: a client that sent one meant its key.
    """
    plain = _NOT_NAME.sub("", _decoded(name).lower().replace("-", "_"))
    return plain in _SECRET_NAMES or plain.endswith(_SECRET_ENDINGS)


def _hide_secret(match):
    name = match.group(1)
    return f"{name}=[redacted]" if _is_secret_name(name) else match.group(0)


def _redact_query(match):
    """Redact one query string, parsed as Werkzeug parses it (parse_qsl: pairs cut at "&")."""
    pieces = []
    for piece in match.group(1).split("&"):
        name, equals, value = piece.partition("=")
        inner = _INNER_ASSIGNMENT.findall(_decoded(value))
        if equals and (_is_secret_name(name) or any(map(_is_secret_name, inner))):
            piece = f"{name}=[redacted]"
        pieces.append(piece)
    return "?" + "&".join(pieces)


def redact(text):
    """Return TEXT with every phone masked and every key, token or password replaced."""
    text = _QUERY.sub(_redact_query, str(text))
    text = _ASSIGNMENT.sub(_hide_secret, text)
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
