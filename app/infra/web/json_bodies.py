r"""JSON request bodies: what Python's parser accepts but no storage can hold is bad input.

Python's json parser raises RecursionError, not ValueError, for "[[[[...]]]]" a few
thousand levels deep, so `request.get_json(silent=True)` let it through as a 500. It also
accepts a lone surrogate escape ("\ud800"), which is no character: SQLite cannot store it
(UTF-8 has no encoding for it), so the write raised and the answer was a 500.
"""

import json

from flask.json.provider import DefaultJSONProvider


def _no_lone_surrogate(value):
    """Raise ValueError when VALUE (a parsed string, key or container) holds a lone surrogate."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("JSON string holds a lone surrogate") from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_lone_surrogate(key)
            _no_lone_surrogate(item)
    elif isinstance(value, list):
        for item in value:
            _no_lone_surrogate(item)
    return value


def loads(text):
    """Parse TEXT as JSON; a body too deep or with a lone surrogate is a ValueError."""
    try:
        return _no_lone_surrogate(json.loads(text))
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider; a body it could parse but not store is a ValueError."""

    def loads(self, s, **kwargs):
        """Parse S as Flask does, turning RecursionError and lone surrogates into ValueError."""
        try:
            return _no_lone_surrogate(super().loads(s, **kwargs))
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc
