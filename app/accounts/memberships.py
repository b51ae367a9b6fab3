"""Who works where: an officer's communes and role in each, and the province's read-only role.

A member of a commune acts in it as its role allows (admin or staff). The province role
reads every commune and acts in none, unless it is also a member there; its reads are
written to the commune's audit log, so a commune can see who from the province looked.
"""

from app import communes
from app.accounts import audit
from app.infra import clock
from db import first, rows, update

ROLES = ("staff", "admin")


def add(db, user_id, commune_id, role):
    """Make USER_ID a member of COMMUNE_ID with ROLE (or change the role of a member)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    db.execute(
        "INSERT INTO memberships (user_id, commune_id, role, created_at)"
        " VALUES (:user_id, :commune_id, :role, :now)"
        " ON CONFLICT (user_id, commune_id) DO UPDATE SET role = excluded.role",
        {"user_id": user_id, "commune_id": commune_id, "role": role, "now": clock.iso(clock.now())},
    )


def remove(db, user_id, commune_id):
    """End USER_ID's membership of COMMUNE_ID."""
    db["memberships"].delete_where(
        "user_id = :user_id AND commune_id = :commune_id",
        {"user_id": user_id, "commune_id": commune_id},
    )


def role_in(db, user_id, commune_id):
    """The role of USER_ID in COMMUNE_ID ("admin", "staff"), or None if not a member."""
    row = first(
        db,
        "SELECT role FROM memberships WHERE user_id = :user_id AND commune_id = :commune_id",
        {"user_id": user_id, "commune_id": commune_id},
    )
    return row["role"] if row else None


def is_province(db, user_id):
    """Tell whether the account has the province role (reads every commune)."""
    row = first(db, "SELECT province FROM staff_users WHERE id = :id", {"id": user_id})
    return bool(row and row["province"])


def set_province(db, user_id, province):
    """Give or take the province role."""
    update(db, "staff_users", "id", user_id, {"province": 1 if province else 0})


def member_ids(db, commune):
    """The ids of the accounts that are members of COMMUNE."""
    found = communes.scoped_rows(
        db, commune, "SELECT user_id FROM memberships WHERE commune_id = :commune_id", {}
    )
    return [row["user_id"] for row in found]


def choices(db, user_id):
    """The communes the account may open, in order, each with its role there (None: reads only).

    A member sees their communes; the province role sees every commune.
    """
    roles = {
        row["commune_id"]: row["role"]
        for row in rows(
            db,
            "SELECT commune_id, role FROM memberships WHERE user_id = :user_id",
            {"user_id": user_id},
        )
    }
    if is_province(db, user_id):
        return [(commune, roles.get(commune.id)) for commune in communes.every(db)]
    return [(commune, roles[commune.id]) for commune in communes.every(db) if commune.id in roles]


def record_province_read(db, commune, *, actor, target):
    """Write down that a province officer (not a member) read TARGET of COMMUNE."""
    audit.record(db, commune, actor=actor, action="province_read", target=target[:300])
