"""Procedure guidance: the catalogue of procedures and their short texts.

The catalogue is the province's; a commune overrides any text of a procedure (documents,
fees, where to go, spoken forms) in procedure_overrides, and reads the two merged.
"""

import json
import math

from app import communes
from app.catalogue import catalog
from app.catalogue.text_rules import UnsafeText, check_resident_text
from app.infra import clock
from db import first, rows
from db.cache import cached
from db.migrations.m0018_communes import OVERRIDABLE

JSON_FIELDS = ("synonyms", "steps", "documents")
SMS_FIELDS = ("sms_steps", "sms_documents", "sms_steps_en", "sms_documents_en")
# The one-line texts of a procedure, as the console's form lists them.
TEXT_FIELDS = ("name", "name_en", "summary", "fee_note", "deadline_note", "where_note", *SMS_FIELDS)
LIST_FIELDS = ("steps", "documents")
SPOKEN_FIELDS = ("spoken_name", "spoken_summary", "spoken_name_en", "spoken_summary_en")
# Everything residents read by SMS, hear in the voice menu or see through the API.
RESIDENT_TEXT_FIELDS = (*TEXT_FIELDS, *LIST_FIELDS, *SPOKEN_FIELDS)


def _decode(row):
    """Turn a stored procedure row into a dict with real lists."""
    if row is None:
        return None
    item = dict(row)
    for field in JSON_FIELDS:
        item[field] = json.loads(item[field] or "[]")
    return item


_MERGED = (
    "SELECT procedures.code, procedures.menu_number, procedures.synonyms,"
    " procedures.verified_as_of, procedures.active, "
    + ", ".join(
        f"coalesce(procedure_overrides.{name}, procedures.{name}) AS {name}" for name in OVERRIDABLE
    )
    + " FROM procedures LEFT JOIN procedure_overrides"
    " ON procedure_overrides.code = procedures.code"
    " AND procedure_overrides.commune_id = :commune_id"
)


def _load(db):
    """The bound commune's procedures, its overrides merged in, in menu order."""
    merged = rows(
        db, _MERGED + " ORDER BY procedures.menu_number", {"commune_id": communes.current_id()}
    )
    return [_decode(row) for row in merged]


def _procedures(db):
    """The bound commune's merged catalogue, cached per catalogue version and commune."""
    return cached(db, "procedures", _load, communes.current_id())


def province_procedure(db, code):
    """Return the province's own text of procedure CODE (no commune's override), or None."""
    return _decode(
        first(db, "SELECT * FROM procedures WHERE code = :code", {"code": str(code).upper()})
    )


def save_override(db, commune, code, procedure, actor=None):
    """Store COMMUNE's texts of procedure CODE where they differ from the province's.

    A field equal to the province's text is stored as NULL (it follows later province edits).
    """
    province = province_procedure(db, code)
    if province is None:
        raise KeyError(code)
    check_texts(db, procedure)
    values = {}
    for name in OVERRIDABLE:
        if name not in procedure:
            continue
        mine = procedure[name]
        values[name] = None if mine == province.get(name) else _stored(name, mine)
    params = {
        "commune_id": commune.id,
        "code": province["code"],
        **values,
        "updated_at": clock.iso(clock.now()),
        "updated_by": actor,
    }
    updates = ", ".join(f"{name} = excluded.{name}" for name in list(params)[2:])
    db.conn.execute(
        f"INSERT INTO procedure_overrides ({', '.join(params)})"
        f" VALUES ({', '.join(f':{name}' for name in params)})"
        f" ON CONFLICT (commune_id, code) DO UPDATE SET {updates}",
        params,
    )


def _stored(name, value):
    """VALUE as its column holds it (lists as JSON)."""
    if name in JSON_FIELDS:
        return json.dumps(value or [], ensure_ascii=False)
    return value


def all_procedures(db, include_inactive=False):
    """Return the procedures in menu order (shared rows: do not modify them)."""
    every = _procedures(db)
    return list(every) if include_inactive else [row for row in every if row["active"] == 1]


def get(db, code):
    """Return one procedure by code (any case), or None (a shared row: do not modify it)."""
    code = str(code or "").upper()
    return next((row for row in _procedures(db) if row["code"] == code), None)


def by_menu_number(db, number):
    """Return the active procedure at a menu position, or None (shared: do not modify it)."""
    every = _procedures(db)
    return next((row for row in every if row["menu_number"] == number and row["active"] == 1), None)


def sms_steps(procedure, language="vi"):
    """Return the one-segment SMS with a procedure's steps."""
    text = procedure["sms_steps_en"] if language == "en" else procedure["sms_steps"]
    return catalog.sms_body(text or procedure["sms_steps"])


def sms_documents(procedure, language="vi"):
    """Return the one-segment SMS with the documents to bring."""
    text = procedure["sms_documents_en"] if language == "en" else procedure["sms_documents"]
    return catalog.sms_body(text or procedure["sms_documents"])


def written_name(procedure, language="vi"):
    """The procedure's written name in LANGUAGE: the English one where it exists."""
    if language == "en":
        return procedure.get("name_en") or procedure["name"]
    return procedure["name"]


def spoken_name(procedure, language="vi"):
    """The short name the phone menu says; the written name when none is set."""
    if language == "en":
        return procedure.get("spoken_name_en") or procedure.get("name_en") or procedure["name"]
    return procedure.get("spoken_name") or procedure["name"]


def spoken_summary(procedure, language="vi"):
    """What the phone says about a procedure: where to go, what to bring, the fee."""
    if language == "en":
        return procedure.get("spoken_summary_en") or procedure.get("sms_steps_en") or ""
    return procedure.get("spoken_summary") or procedure.get("summary") or ""


def check_texts(db, procedure):
    """Raise UnsafeText (with .field set) if any text residents get breaks the rule."""
    for field in RESIDENT_TEXT_FIELDS:
        value = procedure.get(field) or ""
        for text in value if isinstance(value, list) else [value]:
            try:
                check_resident_text(db, text)
            except UnsafeText as exc:
                exc.field = field
                raise


def save(db, procedure):
    """Insert or update a procedure from a dict with list fields (its texts checked first)."""
    check_texts(db, procedure)
    record = dict(procedure)
    for field in JSON_FIELDS:
        record[field] = json.dumps(record.get(field) or [], ensure_ascii=False)
    db["procedures"].upsert(record, pk="code")


# The phone menu reads the catalogue a group at a time: keys 1-5, and a key for the next group.
PROCEDURE_CHOICES = 5
MORE_PROCEDURES_KEY = "6"


def procedure_pages(procedures):
    """Split procedures into even groups of at most PROCEDURE_CHOICES (12 -> 4, 4, 4)."""
    if not procedures:
        return []
    count = math.ceil(len(procedures) / PROCEDURE_CHOICES)
    size = math.ceil(len(procedures) / count)
    return [procedures[start : start + size] for start in range(0, len(procedures), size)]


def phone_keys(procedures, more_key=MORE_PROCEDURES_KEY):
    """Return {code: the keys a caller presses to reach it}, e.g. ["6", "2"] in group two."""
    keys = {}
    for page, group in enumerate(procedure_pages(procedures)):
        for key, procedure in enumerate(group, start=1):
            keys[procedure["code"]] = [more_key] * page + [str(key)]
    return keys


# The longest a phone answer may be. The voice channel measures its answers about procedures;
# the app hands its check to the console (app.extensions["answer_length_checks"]), so the
# console asks without importing a channel.
MAX_ANSWER_SECONDS = 40


def answers_too_long(db, checks, code=None):
    """The answers about procedures that CHECKS (db, code -> [(what, language, s)]) find too long.

    Longest first; with CODE only the answers an edit of that procedure can change.
    """
    found = [entry for check in checks for entry in check(db, code)]
    return sorted(found, key=lambda entry: -entry[2])
