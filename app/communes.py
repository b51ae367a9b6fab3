"""Communes: the tenants of a province server, and the one value each edge passes down.

A channel edge (a webhook by its number or device, a console page by the officer's chosen
membership, an API call by its key, a CLI command by --commune) resolves one frozen
`Commune` and passes it down. Deep helpers that only need its prefix or time zone read the
value bound for the work at hand (`bound`/`current`), never the environment.
"""

import dataclasses
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.infra import clock
from app.infra.tenant import (  # noqa: F401  (the binding, used as communes.X)
    FIRST_ID,
    NoCommune,
    NoCommuneBound,
    bound,
    current,
    current_id,
    current_or_none,
)
from app.language.texts import sms_text
from db import first, insert, insert_returning, rows

CODE = re.compile(r"^[A-Z0-9]{2,20}$")
COLUMNS = (
    "id",
    "code",
    "name",
    "sms_prefix",
    "spoken_name",
    "agency",
    "timezone",
    "jurisdiction_id",
    "office_address",
    "office_phone",
)


class CommuneError(ValueError):
    """Raised when a commune cannot be created as asked."""


@dataclasses.dataclass(frozen=True)
class Commune:
    """One commune as every layer sees it: read once at the edge, never changed."""

    id: int
    code: str
    name: str  # as read: "Xã Phú Lâm"
    sms_prefix: str  # unaccented, starts every SMS: "Xa Phu Lam"
    spoken_name: str  # what a vi-VN voice says
    agency: str  # Open311 agency_responsible: "UBND xã Phú Lâm"
    timezone: str
    jurisdiction_id: str
    office_address: str = ""
    office_phone: str = ""

    @property
    def zone(self):
        """The commune's local time zone."""
        return ZoneInfo(self.timezone)


def from_row(row):
    """A Commune from a row holding the communes columns (None stays None)."""
    return _value(row)


def _value(row):
    """A Commune from a communes row (None stays None)."""
    if row is None:
        return None
    return Commune(**{name: row[name] if row[name] is not None else "" for name in COLUMNS})


_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM communes"


def by_id(db, commune_id):
    """Return the commune with id COMMUNE_ID, or None."""
    return _value(first(db, _SELECT + " WHERE id = :id", {"id": commune_id}))


def by_code(db, code):
    """Return the commune whose code is CODE (any case), or None."""
    return _value(
        first(db, _SELECT + " WHERE code = :code", {"code": (code or "").strip().upper()})
    )


def by_jurisdiction(db, jurisdiction_id):
    """Return the commune whose Open311 jurisdiction_id is JURISDICTION_ID, or None."""
    return _value(
        first(
            db,
            _SELECT + " WHERE jurisdiction_id = :jurisdiction_id",
            {"jurisdiction_id": jurisdiction_id},
        )
    )


def first_commune(db):
    """Return the first commune (the one a single-commune install has)."""
    return _value(first(db, _SELECT + " ORDER BY id LIMIT 1"))


def every(db):
    """Return every commune, oldest first."""
    return [_value(row) for row in rows(db, _SELECT + " ORDER BY id")]


def create(db, code, name, *, prefix=None, timezone=None, spoken_name=None, agency=None):
    """Add a commune; return it. CODE is letters and digits (e.g. PHULAM); NAME as read."""
    code = (code or "").strip().upper()
    name = (name or "").strip()
    if not CODE.match(code):
        raise CommuneError(f"commune code {code!r} must be 2-20 letters or digits, e.g. PHULAM")
    if not name:
        raise CommuneError("a commune needs a name, e.g. 'Xã Phú Lâm'")
    if by_code(db, code):
        raise CommuneError(f"commune {code} exists already")
    timezone = (timezone or clock.DEFAULT_TIMEZONE).strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CommuneError(f"unknown time zone {timezone!r}") from None
    prefix = sms_text((prefix or name).strip())
    if not prefix or len(prefix) > 30:
        raise CommuneError("the SMS prefix must be 1-30 characters")
    now = clock.iso(clock.now())
    commune_id = insert_returning(
        db,
        "communes",
        {
            "code": code,
            "name": name,
            "sms_prefix": prefix,
            "spoken_name": spoken_name or name,
            "agency": agency or f"UBND {name[:1].lower()}{name[1:]}",
            "timezone": timezone,
            "jurisdiction_id": code.lower(),
            "office_address": "",
            "office_phone": "",
            "created_at": now,
        },
    )["id"]
    record = {"commune_id": commune_id, "kind": "console", "is_default": 0, "created_at": now}
    insert(db, "channels", {**record, "address": None, "secret": None})
    return by_id(db, commune_id)


def _scoped_params(commune, sql, params):
    """Named PARAMS plus commune_id; SQL must filter on :commune_id."""
    if ":commune_id" not in sql:
        raise ValueError("a scoped query must filter on :commune_id")
    if not isinstance(commune, Commune):
        raise TypeError(f"a scoped query takes a Commune, not {commune!r}")
    return {**(params or {}), "commune_id": commune.id}


def scoped_rows(db, commune, sql, params=None):
    """Run SQL (which filters on :commune_id) for COMMUNE; return its rows as dicts."""
    return rows(db, sql, _scoped_params(commune, sql, params))


def scoped_first(db, commune, sql, params=None):
    """Run SQL (which filters on :commune_id) for COMMUNE; return its first row or None."""
    return first(db, sql, _scoped_params(commune, sql, params))


def owned(db, commune, table, row_id, key="id"):
    """Return TABLE's row whose KEY is ROW_ID if it belongs to COMMUNE, else None (a 404)."""
    return scoped_first(
        db,
        commune,
        f'SELECT * FROM "{table}" WHERE "{key}" = :row_id AND commune_id = :commune_id',
        {"row_id": row_id},
    )
