"""URL converters: an id in a path is a whole number SQLite can store, or the page is not there."""

from werkzeug.routing import IntegerConverter

# SQLite's INTEGER is 64-bit signed; a larger Python int cannot even be bound as a parameter.
SQLITE_INT_MAX = 2**63 - 1


class SqliteIdConverter(IntegerConverter):
    """`<int:...>` matching 0 to SQLITE_INT_MAX only: /requests/99999999999999999999 is a 404."""

    def __init__(self, url_map, fixed_digits=0, min=0, max=SQLITE_INT_MAX, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def storable_id(value):
    """Return VALUE if it is a whole number (not a bool) SQLite can store as an id, else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= SQLITE_INT_MAX else None
