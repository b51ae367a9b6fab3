"""Residents: who is writing or calling, their hamlet, language, vulnerability and opt-out."""

from app import communes
from app.infra import clock
from app.language import phones
from db import first, insert_returning, update_returning


def get(db, resident_id):
    """Return a resident row by id, or None."""
    return first(db, "SELECT * FROM residents WHERE id = :id", {"id": resident_id})


def by_phone(db, phone):
    """Return the resident with this E.164 phone in the bound commune, or None."""
    return first(
        db,
        "SELECT * FROM residents WHERE commune_id = :commune_id AND phone = :phone",
        {"commune_id": communes.current_id(), "phone": phone},
    )


def in_commune(db, commune, phone):
    """Return COMMUNE's resident with this E.164 phone, or None."""
    return communes.scoped_first(
        db,
        commune,
        "SELECT * FROM residents WHERE commune_id = :commune_id AND phone = :phone",
        {"phone": phone},
    )


def find_or_create(db, phone, raw=None, **fields):
    """Return the resident for PHONE (E.164 or any written form), creating them if new."""
    e164 = (
        phone if str(phone).startswith("+") and phones.is_valid(phone) else phones.normalise(phone)
    )
    return by_phone(db, e164) or create(db, e164, raw=raw or str(phone), **fields)


def create(db, e164, raw=None, **fields):
    """Add the resident with the E.164 number E164 and return their row."""
    stamp = clock.iso(clock.now())
    record = {
        "commune_id": communes.current_id(),
        "phone": e164,
        "phone_raw": raw or e164,
        "language": "vi",
        "created_at": stamp,
        "updated_at": stamp,
    }
    record.update({key: value for key, value in fields.items() if value is not None})
    # Two first messages from one new number may race: the second finds the first's row.
    created = insert_returning(
        db, "residents", record, on_conflict_do_nothing=("commune_id", "phone")
    )
    return created or by_phone(db, e164)


def named(db, commune, limit=50):
    """Return COMMUNE's residents who have a name, oldest first, each with its hamlet's name."""
    return communes.scoped_rows(
        db,
        commune,
        "SELECT residents.*, hamlets.name AS hamlet_name FROM residents"
        " LEFT JOIN hamlets ON hamlets.id = residents.hamlet_id"
        " WHERE residents.commune_id = :commune_id"
        " AND residents.name IS NOT NULL AND residents.name != ''"
        " ORDER BY residents.id LIMIT :limit",
        {"limit": limit},
    )


def update(db, resident_id, **fields):
    """Change a resident's profile fields and stamp the update."""
    fields["updated_at"] = clock.iso(clock.now())
    return update_returning(db, "residents", "id", resident_id, fields)


def is_vulnerable(resident):
    """Tell whether a resident gets priority: 75+, living alone or limited mobility."""
    if not resident:
        return False
    return bool(resident["age_75_plus"] or resident["lives_alone"] or resident["limited_mobility"])


def opt_out(db, resident_id):
    """Stop proactive messages to a resident (they can still write in and get replies)."""
    return update(db, resident_id, opted_out=1, opted_out_at=clock.iso(clock.now()))


def opt_in(db, resident_id):
    """Resume proactive messages to a resident."""
    return update(db, resident_id, opted_out=0, opted_out_at=None)


def is_opted_out(db, phone):
    """Tell whether PHONE (E.164) has asked not to receive proactive messages."""
    resident = by_phone(db, phone)
    return bool(resident and resident["opted_out"])


def flag(db, resident_id, reason):
    """Flag a resident for staff attention (for example the SMS rate limit)."""
    return update(db, resident_id, flagged_at=clock.iso(clock.now()), flag_reason=reason)


def clear_flag(db, resident_id):
    """Clear a staff-attention flag."""
    return update(db, resident_id, flagged_at=None, flag_reason=None)


def mark_no_sms(db, resident_id, reason):
    """Note that SMS cannot reach a resident (a landline, Twilio 21614) and flag it for staff."""
    resident = get(db, resident_id)
    note = f"SMS cannot be delivered: {reason}"
    notes = resident["notes"] or ""
    if note not in notes:
        notes = f"{notes}\n{note}".strip()
    return update(db, resident_id, notes=notes, flagged_at=clock.iso(clock.now()), flag_reason=note)
