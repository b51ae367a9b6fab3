"""Dialogue state per phone number: the last numbered menu shown, until it expires."""

import datetime as dt
import json

from app import clock

# Long enough for an elderly resident to find their glasses, short enough that a bare
# digit sent tomorrow is not taken as an answer to today's menu.
MENU_LIFETIME = dt.timedelta(hours=6)


def get(db, phone):
    """Return the live state for PHONE as (name, data), or (None, {}) when none or expired."""
    rows = list(db["dialogue_state"].rows_where("phone = ?", [phone]))
    if not rows:
        return None, {}
    row = rows[0]
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
    db["dialogue_state"].upsert(
        {
            "phone": phone,
            "state": name,
            "data": json.dumps(data, ensure_ascii=False),
            "updated_at": clock.iso(stamp),
            "expires_at": clock.iso(stamp + lifetime),
        },
        pk="phone",
    )


def clear(db, phone):
    """Forget any menu shown to PHONE."""
    db["dialogue_state"].delete_where("phone = ?", [phone])
