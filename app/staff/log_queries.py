"""Read queries behind the message log: the SMS log and the outbox, newest first."""

from app.lifecycle import SMS_FAILED, sql_list
from app.staff.queries import PER_PAGE


def messages_page(db, direction=None, failed_only=False, phone=None, page=1, per_page=PER_PAGE):
    """Return (rows, has_next) from the SMS log, newest first, with resident names."""
    where, params = [], []
    if direction in ("in", "out"):
        where.append("m.direction = ?")
        params.append(direction)
    if failed_only:
        where.append(f"m.status IN {sql_list(SMS_FAILED)}")
    if phone:
        where.append("m.phone = ?")
        params.append(phone)
    sql = (
        "SELECT m.*, res.name AS resident_name, res.id AS resident_id, r.ref AS request_ref,"
        " o.status AS outbox_status"
        " FROM messages m LEFT JOIN residents res ON res.phone = m.phone"
        " LEFT JOIN requests r ON r.id = m.request_id"
        " LEFT JOIN outbox o ON o.id = m.outbox_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY m.id DESC LIMIT ? OFFSET ?"
    rows = list(db.query(sql, [*params, per_page + 1, (max(page, 1) - 1) * per_page]))
    return rows[:per_page], len(rows) > per_page


def outbox_counts(db):
    """Return the number of outbox rows per status."""
    return dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())


def outbox_row(db, outbox_id):
    """Return one outbox row, or None."""
    rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [outbox_id]))
    return rows[0] if rows else None
