"""Request body limits per route, checked before anything is parsed.

A 2 MB form of 200,000 fields cost seconds of a worker's time to parse, signature or not.
Each route gets the size and field count it needs: the body is refused with 413 from its
Content-Length before a byte is read, and a form with too many fields is refused by
counting its separators before it is split.
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

KB = 1024


@dataclass(frozen=True)
class Limit:
    """The most a request may send: body bytes and form fields."""

    body: int
    fields: int


# Twilio sends about 20-40 fields; the gateway a JSON event of a few hundred bytes.
WEBHOOK = Limit(body=64 * KB, fields=200)
LOGIN = Limit(body=64 * KB, fields=10)
OPEN311 = Limit(body=64 * KB, fields=100)
# The trip results form carries a result and a note for each of up to 200 visits.
STAFF = Limit(body=1024 * KB, fields=1000)
# A simulated voice message: the clip plus a few fields.
SIMULATOR_CLIP = Limit(body=2 * 1024 * KB + 64 * KB, fields=20)
# A prompt recording: at most 2 MB of audio (refused with its own message up to this size).
PROMPT_UPLOAD = Limit(body=2 * 1024 * KB + 64 * KB, fields=20)
DEFAULT = Limit(body=64 * KB, fields=100)

BY_ENDPOINT = {
    "staff.login": LOGIN,
    "staff.password": LOGIN,
    "simulator.call_record": SIMULATOR_CLIP,
    "staff.prompt_upload": PROMPT_UPLOAD,
}
BY_BLUEPRINT = {"sms": WEBHOOK, "voice": WEBHOOK, "open311": OPEN311, "staff": STAFF}


def limit_for(endpoint, blueprint):
    """The limit of a route (DEFAULT for unknown paths, whose body nobody reads)."""
    return BY_ENDPOINT.get(endpoint) or BY_BLUEPRINT.get(blueprint) or DEFAULT


class CountingFormDataParser(FormDataParser):
    """Werkzeug's form parser, refusing a urlencoded form with too many fields unsplit.

    Werkzeug applies max_form_parts to multipart bodies only; for urlencoded ones the
    separators are counted first, which costs microseconds where splitting cost seconds.
    """

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        data = stream.read()
        if self.max_form_parts is not None and data.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge(f"at most {self.max_form_parts} form fields")
        items = parse_qsl(data.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
        return stream, self.cls(items), self.cls()


class LimitedRequest(Request):
    """Flask's request with the body size and form field limits of the matched route."""

    form_data_parser_class = CountingFormDataParser

    def _limit(self):
        return limit_for(self.endpoint, self.blueprint)

    @property
    def max_content_length(self):
        if self._max_content_length is not None:
            return self._max_content_length
        return self._limit().body

    @max_content_length.setter
    def max_content_length(self, value):
        self._max_content_length = value

    @property
    def max_form_parts(self):
        if self._max_form_parts is not None:
            return self._max_form_parts
        return self._limit().fields

    @max_form_parts.setter
    def max_form_parts(self, value):
        self._max_form_parts = value
