"""Seed data: Phú Lâm's hamlets, the default trip schedule and the procedure catalogue."""

import random

from app import communes, residents, trips
from app.catalogue import commune_settings, guidance, hamlets
from app.request_queue import service_requests
from app.request_queue.asked import Asked
from app.seed import demo_commune
from app.seed.procedures import PROCEDURES, SUPERSEDED
from app.seed.spoken import SPOKEN
from db import first, transaction

HAMLETS_AS_OF = "2026-11-29"
# Known hamlets of the merged Phú Lâm commune, in route order.
HAMLETS = [
    ("Phú Hòa A", "Phú Lâm", "old Phú Tân district portal, 2020"),
    ("Phú Hòa B", "Phú Lâm", "old Phú Tân district portal, 2020"),
    ("Phú Thuận A", "Phú Lâm", "old Phú Tân district portal, 2020"),
    ("Phú Thuận B", "Phú Lâm", "old Phú Tân district portal, 2020"),
    ("Phú Lợi", "Phú Lâm", "old Phú Tân district portal, 2020"),
    ("Tân Phú", "Phú Lâm", "old Phú Tân district portal, 2020"),
    ("Phú Đông", "Phú Long", "phulong.phutan.angiang.gov.vn"),
    ("Long Hậu", "Phú Long", "phulong.phutan.angiang.gov.vn"),
    ("Phú Tây", "Phú Long", "phulong.phutan.angiang.gov.vn"),
    ("Long Hòa 1", "Long Hòa", "vietnamplus.vn, 24/02/2026"),
]
# Tuesday (weekday 1) and Thursday (3) mornings, five hamlets each, eight home visits a trip.
SCHEDULE = [
    {
        "weekday": 1,
        "start_time": "07:30",
        "end_time": "11:30",
        "capacity": 8,
        "hamlets": HAMLETS[:5],
    },
    {
        "weekday": 3,
        "start_time": "07:30",
        "end_time": "11:30",
        "capacity": 8,
        "hamlets": HAMLETS[5:],
    },
]


def seed(db, demo=False, commune=None):
    """Load procedures, and COMMUNE's hamlets, schedule and settings; DEMO adds residents.

    COMMUNE defaults to the first one, whose DEMO also adds a second demo commune, so the
    separation of two communes on one server can be seen.
    """
    first = communes.first_commune(db)
    commune = commune or first
    with transaction(db):
        # The province's catalogue is checked against the first commune's office number,
        # the one its texts were written with.
        with communes.bound(first):
            _seed_procedures(db)
        _seed_commune(db, commune, demo)
        if demo and commune.id == first.id:
            _seed_commune(db, demo_commune.ensure_demo_commune(db), demo)


def _data_for(commune):
    """The seed data of COMMUNE: Phú Lâm's for the first one, a demo commune's, or None."""
    if commune.id == communes.FIRST_ID:
        return {
            "first": True,
            "hamlets": HAMLETS,
            "as_of": HAMLETS_AS_OF,
            "schedule": SCHEDULE,
            "residents": DEMO_RESIDENTS,
            "visits": DEMO_VISITS,
            "questions": DEMO_QUESTIONS,
        }
    return demo_commune.DEMO_DATA.get(commune.code)


def _seed_commune(db, commune, demo):
    """Load one commune's hamlets, schedule and settings (those it has seed data for)."""
    data = _data_for(commune)
    with communes.bound(commune):
        if data:
            _seed_hamlets(db, data["hamlets"], data["as_of"])
            _seed_schedule(db, data["schedule"])
        for key, value in commune_settings.DEFAULTS.items():
            db["settings"].insert(
                {"commune_id": commune.id, "key": key, "value": value}, ignore=True
            )
        trips.ensure_trips(db)
        if demo and data:
            _seed_demo(db, commune, data)


def _seed_procedures(db):
    """Insert missing procedures; fill spoken forms still empty, never overwriting an edit.

    A field that still holds an earlier seed text found wrong or misleading (SUPERSEDED)
    gets the corrected text; a field staff have edited is left alone.
    """
    for procedure in PROCEDURES:
        spoken = SPOKEN.get(procedure["code"], {})
        existing = guidance.province_procedure(db, procedure["code"])
        if not existing:
            guidance.save(db, {**procedure, **spoken})
            continue
        missing = {field: text for field, text in spoken.items() if not existing.get(field)}
        for field, earlier in SUPERSEDED.get(procedure["code"], {}).items():
            if existing.get(field) == earlier:
                missing[field] = procedure[field]
        if missing:
            guidance.save(db, {**existing, **missing})


def _seed_hamlets(db, known, as_of):
    """Insert the bound commune's known hamlets once; staff edits afterwards are kept."""
    for order, (name, old_commune, source) in enumerate(known, start=1):
        db["hamlets"].insert(
            {
                "commune_id": communes.current_id(),
                "code": hamlets.code_for(name),
                "name": name,
                "old_commune": old_commune,
                "route_order": order,
                "active": 1,
                "source": source,
                "as_of": as_of,
            },
            ignore=True,
        )


def _seed_schedule(db, schedule):
    """Create the bound commune's default rules once."""
    commune_id = communes.current_id()
    if db["schedule_rules"].count_where("commune_id = :id", {"id": commune_id}):
        return
    for rule in schedule:
        rule_id = (
            db["schedule_rules"]
            .insert(
                {
                    "commune_id": commune_id,
                    "weekday": rule["weekday"],
                    "session": "morning",
                    "start_time": rule["start_time"],
                    "end_time": rule["end_time"],
                    "capacity": rule["capacity"],
                    "active": 1,
                }
            )
            .last_pk
        )
        for name, _old, _source in rule["hamlets"]:
            hamlet_id = _hamlet_id(db, commune_id, name)
            db["rule_hamlets"].insert({"rule_id": rule_id, "hamlet_id": hamlet_id}, ignore=True)


def _hamlet_id(db, commune_id, name):
    """The id of COMMUNE_ID's hamlet NAME, active or not (the seed just stored it)."""
    row = first(
        db,
        "SELECT id FROM hamlets WHERE commune_id = :commune_id AND code = :code",
        {"commune_id": commune_id, "code": hamlets.code_for(name)},
    )
    return row["id"]


DEMO_RESIDENTS = [
    ("0912 345 678", "Nguyễn Thị Hoa", "Phú Hòa A", 1941, {"age_75_plus": 1, "lives_alone": 1}),
    ("0987 654 321", "Trần Văn Bảy", "Phú Thuận B", 1948, {"age_75_plus": 1}),
    ("0909 111 222", "Lê Thị Mai", "Tân Phú", 1956, {"limited_mobility": 1}),
    ("0933 444 555", "Phạm Văn Út", "Long Hòa 1", 1939, {"age_75_plus": 1, "limited_mobility": 1}),
    ("0971 222 333", "Võ Thị Lan", "Phú Đông", 1962, {}),
    ("0358 765 432", "Huỳnh Văn Tư", "Phú Lợi", 1950, {"age_75_plus": 1}),
]
DEMO_VISITS = [
    ("0912 345 678", "Cài VNeID giúp, điện thoại của con gái"),
    ("0987 654 321", "Làm thẻ căn cước, đi lại khó"),
    ("0933 444 555", "Hỏi trợ cấp hưu trí xã hội"),
    ("0358 765 432", "Chứng thực giấy tờ đất"),
]
DEMO_QUESTIONS = [
    ("0909 111 222", "Cho hỏi làm giấy khai tử cho chồng cần gì?"),
    ("0971 222 333", "Tôi muốn đăng ký tạm trú cho con về quê làm."),
]


def _seed_demo(db, commune, data):
    """Add the bound commune's demo residents with a few open requests, once."""
    # The first commune keeps the keys a single-commune database has.
    prefix = "demo:" if data["first"] else f"demo:{commune.code}:"
    seeded = {"commune_id": commune.id, "pattern": prefix + "%"}
    if db["requests"].count_where("commune_id = :commune_id AND source_key LIKE :pattern", seeded):
        return
    for phone, name, hamlet_name, birth_year, flags in data["residents"]:
        hamlet_id = _hamlet_id(db, commune.id, hamlet_name)
        resident = residents.find_or_create(db, phone)
        residents.update(
            db, resident["id"], name=name, hamlet_id=hamlet_id, birth_year=birth_year, **flags
        )
    rng = random.Random(7)
    for index, (phone, text) in enumerate(data["visits"]):
        service_requests.open_request(
            db,
            Asked.visit(
                phone,
                rng.choice(["sms", "voice"]),
                source_key=f"{prefix}visit:{index}",
                description=text,
            ),
        )
    for index, (phone, text) in enumerate(data["questions"]):
        service_requests.open_request(
            db,
            Asked.question(phone, "sms", text, source_key=f"{prefix}question:{index}"),
        )
