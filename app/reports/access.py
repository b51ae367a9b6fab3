"""Who may read reports: the province role reads every commune, a commune's admins their own.

Every read of a report is written to the commune's audit log, so a commune sees who looked.
"""

from app import communes
from app.accounts import memberships
from app.infra import clock
from db import first, insert, insert_many


def may_read(db, user_id, commune):
    """Tell whether the account may read COMMUNE's reports: the province or its admins."""
    if memberships.is_province(db, user_id):
        return True
    row = first(
        db,
        "SELECT role FROM memberships WHERE user_id = :user_id AND commune_id = :commune_id",
        {"user_id": user_id, "commune_id": commune.id},
    )
    return bool(row and row["role"] == "admin")


def record_read(db, commune_id, *, actor, target):
    """Write down that ACTOR read TARGET (a report of COMMUNE_ID, or the province's page)."""
    insert(
        db,
        "audit_log",
        {
            "commune_id": commune_id,
            "at": clock.iso(clock.now()),
            "actor": actor,
            "action": "report_read",
            "target": target[:300],
        },
    )


def record_province_read(db, *, actor, target):
    """Write down, in every commune's log, that ACTOR read the province's page."""
    stamp = clock.iso(clock.now())
    insert_many(
        db,
        "audit_log",
        [
            {
                "commune_id": commune.id,
                "at": stamp,
                "actor": actor,
                "action": "report_read",
                "target": target[:300],
            }
            for commune in communes.every(db)
        ],
    )
