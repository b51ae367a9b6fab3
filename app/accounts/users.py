"""Staff accounts: creation, changes, the password policy, password checks, session versions."""

import functools

from werkzeug.security import check_password_hash, generate_password_hash

from app.infra import clock
from app.language.texts import N_

ROLES = ("staff", "admin")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200


class UserExists(ValueError):
    """Raised when a username is already taken."""


class AccountError(ValueError):
    """Raised when an account change is refused; the message is a code (role, self, …)."""


class WeakPassword(ValueError):
    """Raised when a password breaks the policy; the message says why (in English, for N_)."""


def password_problem(password, username=None):
    """Return why PASSWORD is not acceptable (a message for N_), or None when it is."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("the password needs at least 8 characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("the password can have at most 200 characters")
    if username and password.strip().lower() == username.strip().lower():
        return N_("the password cannot be the username")
    return None


def check_policy(password, username=None):
    """Raise WeakPassword unless PASSWORD follows the policy (the web forms and the CLI)."""
    problem = password_problem(password, username)
    if problem:
        raise WeakPassword(problem)


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


def create_user(
    db, username, password, role="staff", display_name=None, must_change_password=False
):
    """Create a staff account with a hashed password; return its row."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    check_policy(password, username)
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
                "must_change_password": 1 if must_change_password else 0,
            }
        )
        .last_pk
    )
    return get(db, user_id)


@functools.cache
def _dummy_hash():
    """A hash of nothing, checked for unknown names so they take as long as real ones."""
    return generate_password_hash("no such account")


def check_password(db, username, password):
    """Return the active user whose password matches, or None (in the same time either way)."""
    user = by_username(db, username)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if check_password_hash(user["password_hash"], password) and user["active"]:
        return user
    return None


def end_sessions(db, user_id):
    """Sign the account out everywhere: every saved session cookie stops working."""
    db.execute(
        "UPDATE staff_users SET session_version = session_version + 1 WHERE id = ?", [user_id]
    )


def set_password(db, user_id, password, *, must_change=False):
    """Replace a user's password (policy checked) and end the account's other sessions.

    MUST_CHANGE asks for a new password at the next sign-in: a password someone else chose.
    """
    user = get(db, user_id)
    check_policy(password, user["username"] if user else None)
    db["staff_users"].update(
        user_id,
        {
            "password_hash": generate_password_hash(password),
            "must_change_password": 1 if must_change else 0,
        },
    )
    end_sessions(db, user_id)


def update_user(db, user_id, *, acting_user_id, role=None, active=None, password=None):
    """Change an account's role, active flag or password; admins cannot lock themselves out.

    Deactivation and a new password end the account's sessions.
    """
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
    if password:
        # Someone else's password chosen by an admin is changed at its owner's next sign-in.
        set_password(db, user_id, password, must_change=user_id != acting_user_id)
    if changes:
        db["staff_users"].update(user_id, changes)
        if changes.get("active") == 0 and user["active"]:
            end_sessions(db, user_id)
    return get(db, user_id)
