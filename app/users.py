"""Staff accounts: creation and password checks (werkzeug hashes)."""

from werkzeug.security import check_password_hash, generate_password_hash

from app import clock

ROLES = ("staff", "admin")


class UserExists(ValueError):
    """Raised when a username is already taken."""


class AccountError(ValueError):
    """Raised when an account change is refused; the message is a code (role, self, …)."""


def get(db, user_id):
    """Return a staff user by id, or None."""
    rows = list(db["staff_users"].rows_where("id = ?", [user_id]))
    return rows[0] if rows else None


def all_users(db):
    """Return every staff account (without password hashes), by username."""
    return list(
        db.query(
            "SELECT id, username, display_name, role, active, language, created_at,"
            " last_login_at FROM staff_users ORDER BY username"
        )
    )


def by_username(db, username):
    """Return a staff user by username (case-insensitive), or None."""
    rows = list(db["staff_users"].rows_where("lower(username) = lower(?)", [username]))
    return rows[0] if rows else None


def create_user(db, username, password, role="staff", display_name=None):
    """Create a staff account with a hashed password; return its row."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if by_username(db, username):
        raise UserExists(username)
    user_id = (
        db["staff_users"]
        .insert(
            {
                "username": username,
                "display_name": display_name or username,
                "password_hash": generate_password_hash(password),
                "role": role,
                "active": 1,
                "language": "vi",
                "created_at": clock.iso(clock.now()),
            }
        )
        .last_pk
    )
    return get(db, user_id)


def check_password(db, username, password):
    """Return the active user whose password matches, or None."""
    user = by_username(db, username)
    if user and user["active"] and check_password_hash(user["password_hash"], password):
        return user
    return None


def set_password(db, user_id, password):
    """Replace a user's password."""
    db["staff_users"].update(user_id, {"password_hash": generate_password_hash(password)})


def update_user(db, user_id, *, acting_user_id, role=None, active=None, password=None):
    """Change a staff account's role, active flag or password; admins cannot lock themselves out."""
    user = get(db, user_id)
    if not user:
        raise AccountError("missing")
    changes = {}
    if role is not None:
        if role not in ROLES:
            raise AccountError("role")
        if user_id == acting_user_id and role != "admin":
            raise AccountError("self")
        changes["role"] = role
    if active is not None:
        if user_id == acting_user_id and not active:
            raise AccountError("self")
        changes["active"] = 1 if active else 0
    if changes:
        db["staff_users"].update(user_id, changes)
    if password:
        if len(password) < 8:
            raise AccountError("password")
        set_password(db, user_id, password)
    return get(db, user_id)
