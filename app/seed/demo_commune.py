"""A second, demo commune, so the embedded demo shows two communes kept apart on one server.

Its names are illustrative demo data, not a survey of a real commune's hamlets.
"""

from app import channels, communes

DEMO_CODE = "PHUTHANH"
DEMO_NAME = "Xã Phú Thạnh"
# A local development number, like the first commune's embedded default (+84000000000).
DEMO_TWILIO_NUMBER = "+84000000001"
DEMO_SOURCE = "demo data"
DEMO_HAMLETS = [
    ("Phú Thạnh 1", "Phú Thạnh", DEMO_SOURCE),
    ("Phú Thạnh 2", "Phú Thạnh", DEMO_SOURCE),
    ("Phú Hiệp", "Phú Thạnh", DEMO_SOURCE),
    ("Hòa Bình", "Phú Thạnh", DEMO_SOURCE),
    ("Bình Tây", "Phú Thạnh", DEMO_SOURCE),
]
DEMO_DATA = {
    DEMO_CODE: {
        "first": False,
        "hamlets": DEMO_HAMLETS,
        "as_of": "2026-12-01",
        # Monday and Wednesday afternoons: other days than the first commune's.
        "schedule": [
            {
                "weekday": 0,
                "start_time": "13:30",
                "end_time": "16:30",
                "capacity": 6,
                "hamlets": DEMO_HAMLETS[:3],
            },
            {
                "weekday": 2,
                "start_time": "13:30",
                "end_time": "16:30",
                "capacity": 6,
                "hamlets": DEMO_HAMLETS[3:],
            },
        ],
        # 0912 345 678 also lives in the first commune's demo: one phone, two residents.
        "residents": [
            ("0912 345 678", "Nguyễn Văn Sáu", "Phú Hiệp", 1944, {"age_75_plus": 1}),
            ("0918 555 666", "Đặng Thị Bé", "Hòa Bình", 1952, {"lives_alone": 1}),
        ],
        "visits": [("0912 345 678", "Làm lại căn cước bị mất")],
        "questions": [("0918 555 666", "Hỏi thủ tục đăng ký khai sinh cho cháu")],
    }
}


def ensure_demo_commune(db):
    """Return the demo commune, creating it with its own Twilio number once."""
    commune = communes.by_code(db, DEMO_CODE)
    if commune is None:
        commune = communes.create(db, DEMO_CODE, DEMO_NAME)
    if not channels.every(db, commune, kind="twilio"):
        # A development number, which phones.normalise would refuse as a real one.
        channels.add_twilio(db, commune, DEMO_TWILIO_NUMBER, checked=False)
    return commune
