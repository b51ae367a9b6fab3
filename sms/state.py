"""Dialogue state per phone number: the last numbered menu shown, until it expires."""

import datetime as dt
import json

from app import communes
from app.infra import clock
from db import first

# Long enough for an elderly resident to find their glasses, short enough that a bare
# digit sent tomorrow is not taken as an answer to today's menu.
MENU_LIFETIME = dt.timedelta(hours=6)


def get(db, phone):
    """Return the live state for PHONE as (name, data), or (None, {}) when none or expired."""
    row = first(
        db,
        "SELECT * FROM dialogue_state WHERE commune_id = :commune_id AND phone = :phone",
        {"commune_id": communes.current_id(), "phone": phone},
    )
    if row is None:
        return None, {}
    expires = clock.parse(row["expires_at"])
    if expires and expires <= clock.now():
        return None, {}
    try:
        data = json.loads(row["data"] or "{}")
    except ValueError:
        return None, {}
    return row["state"], data


def put(db, phone, name, data, lifetime=MENU_LIFETIME):
    """Remember that PHONE was shown menu NAME, with what its numbers mean."""
    stamp = clock.now()
    db.conn.execute(
        "INSERT INTO dialogue_state (commune_id, phone, state, data, updated_at, expires_at)"
        " VALUES (:commune_id, :phone, :state, :data, :updated_at, :expires_at)"
        " ON CONFLICT (commune_id, phone) DO UPDATE SET state = excluded.state,"
        " data = excluded.data, updated_at = excluded.updated_at,"
        " expires_at = excluded.expires_at",
        {
            "commune_id": communes.current_id(),
            "phone": phone,
            "state": name,
            "data": json.dumps(data, ensure_ascii=False),
            "updated_at": clock.iso(stamp),
            "expires_at": clock.iso(stamp + lifetime),
        },
    )


def clear(db, phone):
    """Forget any menu shown to PHONE."""
    db.conn.execute(
        "DELETE FROM dialogue_state WHERE commune_id = :commune_id AND phone = :phone",
        {"commune_id": communes.current_id(), "phone": phone},
    )
