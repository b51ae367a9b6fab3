"""Admin changes made from the settings page: hamlets and staff accounts (no flask.request)."""

from app import hamlets, users


class AdminError(ValueError):
    """Raised when a settings change is not allowed (for example, a duplicate name)."""


def save_hamlet(db, hamlet_id, *, name, route_order, active):
    """Create (HAMLET_ID None) or update a hamlet's name, route order and active flag."""
    name = (name or "").strip()
    if not name:
        raise AdminError("name")
    code = hamlets.code_for(name)
    clash = db.execute(
        "SELECT id FROM hamlets WHERE code = ? AND id IS NOT ?", [code, hamlet_id]
    ).fetchone()
    if clash:
        raise AdminError("duplicate")
    record = {"name": name, "code": code, "route_order": route_order or 0, "active": active}
    if hamlet_id is None:
        hamlet_id = db["hamlets"].insert({**record, "source": "staff"}).last_pk
    else:
        db["hamlets"].update(hamlet_id, record)
    return hamlets.get(db, hamlet_id)


def update_user(db, user_id, *, acting_user_id, role=None, active=None, password=None):
    """Change a staff account's role, active flag or password; admins cannot lock themselves out."""
    user = users.get(db, user_id)
    if not user:
        raise AdminError("missing")
    changes = {}
    if role is not None:
        if role not in users.ROLES:
            raise AdminError("role")
        if user_id == acting_user_id and role != "admin":
            raise AdminError("self")
        changes["role"] = role
    if active is not None:
        if user_id == acting_user_id and not active:
            raise AdminError("self")
        changes["active"] = 1 if active else 0
    if changes:
        db["staff_users"].update(user_id, changes)
    if password:
        if len(password) < 8:
            raise AdminError("password")
        users.set_password(db, user_id, password)
    return users.get(db, user_id)
