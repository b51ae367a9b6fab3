"""Procedure guidance: the catalogue of procedures and their short texts."""

import json

from app import catalog
from db import first, rows

JSON_FIELDS = ("synonyms", "steps", "documents")


def _decode(row):
    """Turn a stored procedure row into a dict with real lists."""
    if row is None:
        return None
    item = dict(row)
    for field in JSON_FIELDS:
        item[field] = json.loads(item[field] or "[]")
    return item


def all_procedures(db, include_inactive=False):
    """Return the procedures in menu order."""
    where = "" if include_inactive else " WHERE active = 1"
    found = rows(db, f"SELECT * FROM procedures{where} ORDER BY menu_number")
    return [_decode(row) for row in found]


def get(db, code):
    """Return one procedure by code (any case), or None."""
    row = first(db, "SELECT * FROM procedures WHERE code = ?", [str(code or "").upper()])
    return _decode(row)


def by_menu_number(db, number):
    """Return the active procedure at a menu position, or None."""
    row = first(db, "SELECT * FROM procedures WHERE menu_number = ? AND active = 1", [number])
    return _decode(row)


def sms_steps(procedure, language="vi"):
    """Return the one-segment SMS with a procedure's steps."""
    text = procedure["sms_steps_en"] if language == "en" else procedure["sms_steps"]
    return catalog.sms_body(text or procedure["sms_steps"])


def sms_documents(procedure, language="vi"):
    """Return the one-segment SMS with the documents to bring."""
    text = procedure["sms_documents_en"] if language == "en" else procedure["sms_documents"]
    return catalog.sms_body(text or procedure["sms_documents"])


def save(db, procedure):
    """Insert or update a procedure from a dict with list fields."""
    record = dict(procedure)
    for field in JSON_FIELDS:
        record[field] = json.dumps(record.get(field) or [], ensure_ascii=False)
    db["procedures"].upsert(record, pk="code")
