"""Staff accounts: creation, changes, the password policy, password checks, session versions.

An account is the province's; what it may do in a commune is its membership there
(app.accounts.memberships). A commune's admin sees and changes only its own members, and only
in ways that stay inside the commune: an account shared with another commune keeps its
password and stays active whatever one commune's admin does.
"""

import functools

from werkzeug.security import check_password_hash, generate_password_hash

from app import communes
from app.accounts import memberships
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
    rows = list(db["staff_users"].rows_where("id = :id", {"id": user_id}))
    return rows[0] if rows else None


def all_users(db, commune):
    """Return COMMUNE's members (without password hashes), with their role there, by username."""
    return communes.scoped_rows(
        db,
        commune,
        "SELECT u.id, u.username, u.display_name, m.role, u.active, u.language, u.created_at,"
        " u.last_login_at FROM staff_users u JOIN memberships m ON m.user_id = u.id"
        " WHERE m.commune_id = :commune_id ORDER BY u.username",
    )


def member(db, commune, user_id):
    """Return the account USER_ID if it is a member of COMMUNE, else None."""
    found = communes.scoped_first(
        db,
        commune,
        "SELECT u.*, m.role AS commune_role FROM staff_users u"
        " JOIN memberships m ON m.user_id = u.id"
        " WHERE m.commune_id = :commune_id AND u.id = :user_id",
        {"user_id": user_id},
    )
    return found


def shared(db, commune, user_id):
    """Tell whether the account also belongs elsewhere: another commune, or the province."""
    other = db["memberships"].count_where(
        "user_id = :user_id AND commune_id != :commune_id",
        {"user_id": user_id, "commune_id": commune.id},
    )
    return bool(other) or memberships.is_province(db, user_id)


def by_username(db, username):
    """Return a staff user by username (case-insensitive), or None."""
    rows = list(
        db["staff_users"].rows_where("lower(username) = lower(:username)", {"username": username})
    )
    return rows[0] if rows else None


def create_user(
    db,
    username,
    password,
    role="staff",
    display_name=None,
    must_change_password=False,
    *,
    commune=None,
    province=False,
):
    """Create a staff account with a hashed password; return its row.

    COMMUNE makes it a member there with ROLE; PROVINCE gives it the province's reading role.
    """
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
                "province": 1 if province else 0,
            }
        )
        .last_pk
    )
    if commune is not None:
        memberships.add(db, user_id, commune.id, role)
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
        "UPDATE staff_users SET session_version = session_version + 1 WHERE id = :id",
        {"id": user_id},
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


def update_user(db, user_id, commune, *, acting_user_id, role=None, active=None, password=None):
    """Change a member's role in COMMUNE, active flag or password; admins cannot lock
    themselves out.

    Deactivation and a new password end the account's sessions. An account that also belongs
    to another commune or to the province is deactivated here by leaving COMMUNE, and its
    password is not COMMUNE's to set.
    """
    user = member(db, commune, user_id)
    if not user:
        raise AccountError("missing")
    changes = {}
    if role is not None:
        if role not in ROLES:
            raise AccountError("role")
        if user_id == acting_user_id and role != "admin":
            raise AccountError("self")
        memberships.add(db, user_id, commune.id, role)
    is_shared = shared(db, commune, user_id)
    if active is not None:
        if user_id == acting_user_id and not active:
            raise AccountError("self")
        if is_shared and not active:
            memberships.remove(db, user_id, commune.id)
            return get(db, user_id)
        if not is_shared:
            changes["active"] = 1 if active else 0
    if password and is_shared and user_id != acting_user_id:
        raise AccountError("shared")
    if password:
        # Someone else's password chosen by an admin is changed at its owner's next sign-in.
        set_password(db, user_id, password, must_change=user_id != acting_user_id)
    if changes:
        db["staff_users"].update(user_id, changes)
        if changes.get("active") == 0 and user["active"]:
            end_sessions(db, user_id)
    return get(db, user_id)
