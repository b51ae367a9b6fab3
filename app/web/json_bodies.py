"""JSON request bodies: one nested too deeply is bad input, like any other broken JSON.

Python's json parser raises RecursionError, not ValueError, for "[[[[...]]]]" a few
thousand levels deep, so `request.get_json(silent=True)` let it through as a 500.
"""

from flask.json.provider import DefaultJSONProvider


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider; a body nested too deeply to parse is a ValueError."""

    def loads(self, s, **kwargs):
        """Parse S as Flask does, turning RecursionError into ValueError."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc
