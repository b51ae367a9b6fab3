"""The SMS log and the outbox as staff read them, newest first."""

from app.lifecycle import SMS_FAILED, SMS_WAITING, sql_list

PER_PAGE = 50  # rows a page, as the request lists show


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


def waiting_outbox(db, *, phone=None, limit=50):
    """Return messages not sent yet (waiting, or being sent), oldest first.

    Until it is sent a message has no row in the SMS log, so this is where staff see it.
    """
    where = f"o.status IN {sql_list(SMS_WAITING)}"
    params = []
    if phone:
        where += " AND o.phone = ?"
        params.append(phone)
    cursor = db.conn.execute(
        "SELECT o.*, res.name AS resident_name, res.id AS resident_id, r.ref FROM outbox o"
        " LEFT JOIN residents res ON res.phone = o.phone"
        f" LEFT JOIN requests r ON r.id = o.request_id WHERE {where}"
        " ORDER BY o.id LIMIT ?",
        [*params, limit],
    )
    keys = [column[0] for column in cursor.description]
    return [dict(zip(keys, row, strict=True)) for row in cursor]


def unanswerable(db, limit=50):
    """Inbound SMS from short codes and alphanumeric senders: stored, never answered."""
    return list(
        db.query(
            "SELECT * FROM messages WHERE direction = 'in' AND intent = 'bad_sender'"
            " ORDER BY id DESC LIMIT ?",
            [limit],
        )
    )
