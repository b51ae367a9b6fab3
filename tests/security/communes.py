"""Two communes on one server, for the isolation tests: A holds the secrets, B is the attacker.

Commune A is the first commune (seeded) with a resident, a visit on a trip, a question, an
inbound SMS, a failed reply, a field note, an API key, an admin and a change-log entry, each
carrying a word no other row has. Commune B has its own hamlet, trip, resident and request,
an admin, an officer and an API key.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from app import channels, communes, lifecycle
from app.accounts import apikeys, memberships, users
from app.delivery import messages
from app.infra import clock
from app.request_queue import follow_ups, service_requests
from app.request_queue.asked import Asked
from db import connect, transaction
from tests.conftest import STAFF_PASSWORD

A_PHONE = "+84912555001"
A_NAME = "Huỳnh Bảo Ngọc Ân"
A_REF = "48151"
A_QUESTION_REF = "48152"
B_PHONE = "+84912777001"
B_NAME = "Lý Văn Bê"
B_REF = "62626"
B_NUMBER = "+842773000222"  # the number B's residents text

# What must never show to B: each name, with the text that gives it away.
A_SECRETS = {
    "resident name": A_NAME,
    "resident name unaccented": "Huynh Bao Ngoc An",
    "phone (E.164)": A_PHONE,
    "phone (national)": "0912555001",
    "phone (as shown)": "0912 555 001",
    "visit words": "QUYETALPHA",
    "question words": "HOIALPHA",
    "SMS words": "TINALPHA",
    "failed reply words": "OUTALPHA",
    "landmark": "GAOALPHA",
    "field note": "FIELDALPHA",
    "follow-up note": "FOLLOWALPHA",
    "API key name": "kiosk-alpha",
    "admin account": "alphaadmin",
    "change log": "AUDITALPHA",
}
# Reference codes are five digits: matched as whole numbers, not inside a longer token.
A_CODES = {"visit reference": A_REF, "question reference": A_QUESTION_REF}


# The attacker sends A's phone (a walk-in, the simulator, a search): a page may say it back.
PHONE_ECHOES = (A_PHONE, "%2B84912555001", "0912 555 001", "84912555001")


def leaks(body, echoes=()):
    """The names of A's secrets that appear in BODY (text), once ECHOES (what the attacker
    sent, which a form or a search box may say back) are taken out.
    """
    for echo in echoes:
        body = body.replace(echo, "")
    found = [name for name, secret in A_SECRETS.items() if secret.lower() in body.lower()]
    found += [name for name, code in A_CODES.items() if re.search(rf"(?<!\w){code}(?!\w)", body)]
    return found


@dataclass
class Ids:
    """One commune's rows the attacker aims at (A) or works with (B)."""

    commune: object
    request_id: int = 0
    question_id: int = 0
    resident_id: int = 0
    trip_id: int = 0
    hamlet_id: int = 0
    rule_id: int = 0
    message_id: int = 0
    outbox_id: int = 0
    follow_up_id: int = 0
    key_id: int = 0
    user_id: int = 0
    field_key: str = ""
    api_key: str = ""
    extra: dict = field(default_factory=dict)


def _open(db, commune, **fields):
    """Open a request in COMMUNE through the one domain path every channel uses."""
    request, _created = service_requests.open_request(db, Asked(**fields), commune=commune)
    return request


def build_commune_a(db):
    """Fill the first commune with the secrets B must never see; return its ids."""
    commune = communes.first_commune(db)
    ids = Ids(commune)
    with transaction(db), communes.bound(commune):
        hamlet = db.execute(
            "SELECT id FROM hamlets WHERE commune_id = ? AND active = 1 ORDER BY route_order",
            [commune.id],
        ).fetchone()[0]
        visit = _open(
            db,
            commune,
            phone=A_PHONE,
            kind=lifecycle.VISIT,
            channel="sms",
            hamlet_id=hamlet,
            description="Cần làm căn cước QUYETALPHA",
            resident_fields={"name": A_NAME, "landmark": "cây gạo GAOALPHA"},
        )
        db["requests"].update(visit["id"], {"ref": A_REF})
        question = _open(
            db,
            commune,
            phone=A_PHONE,
            kind=lifecycle.QUESTION,
            channel="sms",
            description="Hỏi giấy khai sinh HOIALPHA",
        )
        db["requests"].update(question["id"], {"ref": A_QUESTION_REF})
        ids.request_id, ids.question_id = visit["id"], question["id"]
        row = db.execute(
            "SELECT resident_id, trip_id, hamlet_id FROM requests WHERE id = ?", [visit["id"]]
        ).fetchone()
        ids.resident_id, ids.trip_id, ids.hamlet_id = row
        assert ids.trip_id, "A's visit is booked on a trip"
        ids.rule_id = db.execute(
            "SELECT rule_id FROM trips WHERE id = ?", [ids.trip_id]
        ).fetchone()[0]
        inbound, _new = messages.record_inbound(
            db,
            provider="twilio",
            provider_id="SM" + "a" * 32,
            dedupe_key="twilio:SM" + "a" * 32,
            phone=A_PHONE,
            body="Toi can giup TINALPHA",
            resident_id=ids.resident_id,
        )
        ids.message_id = inbound["id"]
        db["messages"].update(ids.message_id, {"commune_id": commune.id})
        stamp = clock.iso(clock.now())
        ids.outbox_id = (
            db["outbox"]
            .insert(
                {
                    "commune_id": commune.id,
                    "phone": A_PHONE,
                    "body": "Tra loi OUTALPHA",
                    "status": "failed",
                    "kind": "reply",
                    "request_id": ids.question_id,
                    "created_at": stamp,
                    "dedupe_key": "outbox:alpha",
                }
            )
            .last_pk
        )
        # A call back A's officers owe A's resident (a follow-up B must not see or finish).
        ids.follow_up_id = follow_ups.open_follow_up(
            db, ids.request_id, follow_ups.CALL_BACK, actor="alphaadmin", note="FOLLOWALPHA"
        )["id"]
        ids.field_key = "alpha-field-key-0001"
        db["field_results"].insert(
            {
                "commune_id": commune.id,
                "idempotency_key": ids.field_key,
                "trip_id": ids.trip_id,
                "request_id": ids.request_id,
                "result": "note",
                "note": "FIELDALPHA",
                "recorded_at": stamp,
                "received_at": stamp,
                "actor": "alphaadmin",
                "outcome": "kept_as_note",
                "reason": "early",
            }
        )
        ids.api_key = apikeys.create_key(db, commune, "kiosk-alpha")
        ids.key_id = apikeys.all_keys(db, commune)[0]["id"]
        ids.user_id = users.create_user(
            db, "alphaadmin", STAFF_PASSWORD, role="admin", commune=commune
        )["id"]
        from app.accounts import audit

        audit.record(db, commune, actor="alphaadmin", action="hamlet_saved", target="AUDITALPHA")
    return ids


def build_commune_b(db):
    """Add commune B with a hamlet, a trip, a resident and a request of its own."""
    with transaction(db):
        commune = communes.create(db, "BENGO", "Xã Bến Gỗ")
        channels.add_twilio(db, commune, B_NUMBER)
        ids = Ids(commune)
        ids.hamlet_id = (
            db["hamlets"]
            .insert({"commune_id": commune.id, "code": "BENGOMOT", "name": "Ấp Bến Gỗ Một"})
            .last_pk
        )
        ids.rule_id = (
            db["schedule_rules"]
            .insert(
                {
                    "commune_id": commune.id,
                    "weekday": 2,
                    "session": "afternoon",
                    "start_time": "13:30",
                    "end_time": "16:30",
                    "capacity": 10,
                    "active": 0,
                }
            )
            .last_pk
        )
        day = clock.local_today() + dt.timedelta(days=300)
        ids.trip_id = (
            db["trips"]
            .insert(
                {
                    "commune_id": commune.id,
                    "date": day.isoformat(),
                    "session": "afternoon",
                    "starts_at": clock.iso(clock.at_local(day, "13:30")),
                    "ends_at": clock.iso(clock.at_local(day, "16:30")),
                    "capacity": 10,
                    "status": "planned",
                    "is_extra": 1,
                    "created_at": clock.iso(clock.now()),
                }
            )
            .last_pk
        )
        db["trip_hamlets"].insert({"trip_id": ids.trip_id, "hamlet_id": ids.hamlet_id})
    with transaction(db):
        request = _open(
            db,
            commune,
            phone=B_PHONE,
            kind=lifecycle.QUESTION,
            channel="sms",
            description="Hỏi đăng ký kết hôn",
            resident_fields={"name": B_NAME},
        )
        db["requests"].update(request["id"], {"ref": B_REF})
        ids.request_id = ids.question_id = request["id"]
        ids.api_key = apikeys.create_key(db, commune, "kiosk-beta")
        ids.user_id = users.create_user(
            db, "betaadmin", STAFF_PASSWORD, role="admin", commune=commune
        )["id"]
        users.create_user(db, "betastaff", STAFF_PASSWORD, role="staff", commune=commune)
    return ids


def add_province_reader(db, username="tinh"):
    """An account of the province's role, a member of no commune."""
    with transaction(db):
        return users.create_user(db, username, STAFF_PASSWORD, province=True)


def join(db, user_id, commune, role):
    """Make an account a member of COMMUNE too."""
    with transaction(db):
        memberships.add(db, user_id, commune.id, role)


def sign_in(app, username):
    """A test client signed in as USERNAME, CSRF protection on."""
    client = app.test_client()
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": STAFF_PASSWORD, "csrf_token": csrf_of(page)},
    )
    assert response.status_code == 302, response.status_code
    return client


def csrf_of(response):
    """The CSRF token in a page's form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has a form with a CSRF token"
    return match.group(1)


# Tables holding a commune's rows, and those reached through a parent row.
OWNED = (
    "hamlets",
    "schedule_rules",
    "trips",
    "residents",
    "requests",
    "request_events",
    "messages",
    "outbox",
    "field_results",
    "api_keys",
    "settings",
)


def snapshot(path, commune):
    """Every row COMMUNE owns, table by table (with its trips' and rules' hamlets, its
    members and their accounts), to compare before and after an attack.
    """
    db = connect(path)
    try:
        taken = {
            table: db.execute(
                f"SELECT * FROM {table} WHERE commune_id = ? ORDER BY rowid", [commune.id]
            ).fetchall()
            for table in OWNED
        }
        taken["trip_hamlets"] = db.execute(
            "SELECT * FROM trip_hamlets WHERE trip_id IN"
            " (SELECT id FROM trips WHERE commune_id = ?) ORDER BY trip_id, hamlet_id",
            [commune.id],
        ).fetchall()
        taken["rule_hamlets"] = db.execute(
            "SELECT * FROM rule_hamlets WHERE rule_id IN"
            " (SELECT id FROM schedule_rules WHERE commune_id = ?) ORDER BY rule_id, hamlet_id",
            [commune.id],
        ).fetchall()
        taken["memberships"] = db.execute(
            "SELECT * FROM memberships WHERE commune_id = ? ORDER BY user_id", [commune.id]
        ).fetchall()
        taken["accounts"] = db.execute(
            "SELECT id, username, password_hash, active, session_version, province"
            " FROM staff_users WHERE id IN (SELECT user_id FROM memberships WHERE commune_id = ?)"
            " ORDER BY id",
            [commune.id],
        ).fetchall()
        return taken
    finally:
        db.conn.close()
