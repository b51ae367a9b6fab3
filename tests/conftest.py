"""Shared fixtures: an app on a temporary database, clients, and signed webhook posts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import current_app
from flask.testing import FlaskCliRunner
from twilio.request_validator import RequestValidator

from app import communes, create_app
from app.delivery import outbox, transports
from app.infra import tenant
from app.seed.loader import seed
from db import connect, migrate

TEST_AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://hamlet.example.org"

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A Monday in term time: 10:00 is inside sending hours; 03:25 is inside quiet hours (20:00-07:00),
# the hour at which a suite that read the wall clock once failed.
DAY_HOUR = dt.datetime(2027, 3, 1, 10, 0, tzinfo=VN)
NIGHT_HOUR = dt.datetime(2027, 3, 1, 3, 25, tzinfo=VN)


class FrozenHour:
    """The clock a test runs at: a day or a night hour, moving on only when told."""

    def __init__(self, traveller, start):
        self.traveller = traveller
        self.start = start
        self.is_night = start.hour < 7 or start.hour >= 20

    def morning(self, db):
        """At night, check that nothing queued is due yet, then move the clock to 07:00."""
        if not self.is_night:
            return
        from app.catalogue import quiet_hours
        from app.delivery import outbox

        assert quiet_hours.is_quiet(db)
        # Only proactive messages are queued where this is called, so quiet hours hold them all.
        assert outbox.lease(db, "night-probe") == []
        self.traveller.move_to(self.start.replace(hour=7, minute=0))
        assert not quiet_hours.is_quiet(db)


def on_trip_day(db, request_id):
    """Travel to half an hour into a request's trip: a visit is marked visited from that day."""
    from app.infra import clock

    starts_at = db.execute(
        "SELECT t.starts_at FROM trips t JOIN requests r ON r.trip_id = t.id WHERE r.id = ?",
        [request_id],
    ).fetchone()[0]
    return time_machine.travel(clock.parse(starts_at) + dt.timedelta(minutes=30), tick=False)


@pytest.fixture(params=[DAY_HOUR, NIGHT_HOUR], ids=["day", "night"])
def any_hour(request):
    """Run a test at a frozen day hour and again at a frozen night hour (quiet hours)."""
    with time_machine.travel(request.param, tick=True) as traveller:
        yield FrozenHour(traveller, request.param)


@pytest.fixture
def monday_morning():
    """Run a test from a frozen Monday 10:00 (the clock moving on from there).

    The seed then plans every trip after today, so "today" holds no trip unless a test adds one.
    Use it (before the app fixture, so the seed sees it) wherever a date matters.
    """
    with time_machine.travel(DAY_HOUR, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def nlu_model_path(tmp_path_factory):
    """The message classifier, trained once per test run from the dev corpus."""
    from sms.nlu import training

    path = tmp_path_factory.mktemp("nlu") / "nlu-model.json"
    training.train(path)
    return path


@pytest.fixture
def app(tmp_path, nlu_model_path):
    """An app on a fresh, migrated and seeded temporary database."""
    db_path = tmp_path / "test.db"
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_PATH": str(db_path),
            "SECRET_KEY": "test-secret",
            "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "NLU_MODEL_PATH": str(nlu_model_path),
            "REPORTS_DIR": str(tmp_path / "reports"),
        }
    )
    migrate(db_path)
    with app.app_context():
        database = connect(db_path)
        seed(database)
        database.conn.close()
    app.wsgi_app = _unbound(app.wsgi_app)
    yield app


def _unbound(wsgi_app):
    """WSGI_APP run with no commune bound: a request is an edge and binds its own.

    The test client calls the app in the test's own context, where the db fixture has
    bound the first commune for the test's direct calls into the domain.
    """

    def run(environ, start_response):
        with tenant.unbound():
            return wsgi_app(environ, start_response)

    return run


class UnboundRunner(FlaskCliRunner):
    """The CLI runner, with no commune bound: a command binds the one its --commune names."""

    def invoke(self, *args, **kwargs):
        with tenant.unbound():
            return super().invoke(*args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return UnboundRunner(app)


@pytest.fixture
def db(app):
    """A connection to the app's database inside an app context, the first commune bound.

    The binding stands for the edge a test's direct calls into the domain skip; requests and
    CLI commands run unbound (see _unbound and UnboundRunner).
    """
    with app.app_context():
        database = connect(app.config["DATABASE_PATH"])
        with communes.bound(communes.first_commune(database)):
            yield database
        database.conn.close()


@pytest.fixture
def store(app):
    """A connection to the app's database that pushes no app context.

    The `db` fixture keeps an app context open, which makes every request of the test
    share one `g` (and so one signed-in user and one commune); tests with several browsers
    or communes must not.
    """
    database = connect(app.config["DATABASE_PATH"])
    yield database
    database.conn.close()


@pytest.fixture
def in_first_commune(store):
    """The first commune, bound for the test's own calls into the domain.

    It stands for the edge those calls skip (a webhook, the console, a CLI --commune); with
    nothing bound, reading or writing a commune's rows raises NoCommuneBound.
    """
    commune = communes.first_commune(store)
    with communes.bound(commune):
        yield commune


def twilio_signature(url, params, token=TEST_AUTH_TOKEN):
    """Sign a webhook the way Twilio does."""
    return RequestValidator(token).compute_signature(url, params)


@pytest.fixture
def twilio_post(client):
    """POST form PARAMS to PATH with a valid X-Twilio-Signature."""

    def post(path, params, headers=None):
        signature = twilio_signature(PUBLIC_BASE_URL + path, params)
        all_headers = {"X-Twilio-Signature": signature, **(headers or {})}
        return client.post(path, data=params, headers=all_headers)

    return post


EMPTY_RESPONSE = b'<?xml version="1.0" encoding="UTF-8"?><Response />'


def answer_all(app):
    """Answer every stored message that waits, in process, as the worker does; how many."""
    from app.ops import worker

    with app.app_context():
        database = connect(app.config["DATABASE_PATH"])
        try:
            return worker.answer_all(database)
        finally:
            database.conn.close()


def answered_replies(app, dedupe_key):
    """Answer what waits, as the worker does, in process; return the replies to DEDUPE_KEY.

    The replies are the bodies of the outbox rows queued for that message, in order.
    """
    from app.delivery import messages
    from app.ops import worker

    with app.app_context():
        database = connect(app.config["DATABASE_PATH"])
        try:
            with tenant.unbound():  # the worker binds each message's commune itself
                worker.answer_all(database)
            message = messages.by_dedupe_key(database, dedupe_key)
            assert message is not None, f"nothing stored under {dedupe_key}"
            return outbox.bodies_replying_to(database, message["id"])
        finally:
            database.conn.close()


def assert_empty_twiml(response):
    """The Twilio webhook's answer once a message is stored: 200 and an empty <Response/>."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml", response.mimetype
    assert response.data == EMPTY_RESPONSE, response.data


@pytest.fixture
def text_in(app, twilio_post):
    """Send one SMS through the signed Twilio webhook; return the reply texts.

    The webhook must answer an empty <Response/>; the worker's step then answers in
    process and the texts are the outbox rows queued for the message. Each call gets a
    fresh MessageSid unless SID is given (to replay a provider retry).
    """
    import itertools

    counter = itertools.count(1)

    def send(body, phone="+84912000111", sid=None, to="+84000000000"):
        sid = sid or f"SM{next(counter):032x}"
        response = twilio_post(
            "/sms/twilio", {"MessageSid": sid, "From": phone, "To": to, "Body": body}
        )
        assert_empty_twiml(response)
        return answered_replies(app, f"twilio:{sid}")

    return send


STAFF_PASSWORD = "correct-horse-battery"


def signed_in_client(app, username, role):
    """Create a staff account and return a test client signed in as it (CSRF checks off)."""
    from app import communes
    from app.accounts import users

    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        database = connect(app.config["DATABASE_PATH"])
        if not users.by_username(database, username):
            users.create_user(
                database,
                username,
                STAFF_PASSWORD,
                role=role,
                commune=communes.first_commune(database),
            )
        database.conn.close()
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": STAFF_PASSWORD})
    assert response.status_code == 302, response.data
    return client


@pytest.fixture
def staff_client(app):
    """A client signed in to the staff console as an officer (role staff)."""
    return signed_in_client(app, "lan", "staff")


@pytest.fixture
def admin_client(app):
    """A client signed in to the staff console as an admin."""
    return signed_in_client(app, "minh", "admin")


def pytest_addoption(parser):
    parser.addoption(
        "--fake-now",
        metavar="ISO",
        help="run as if the wall clock read ISO (with its offset, e.g. 2027-02-07T23:30+07:00), "
        "to find tests that depend on today",
    )


def pytest_configure(config):
    # The clock ticks on from the given moment; a test that freezes its own clock still wins.
    target = config.getoption("--fake-now")
    if target:
        config._fake_now = time_machine.travel(dt.datetime.fromisoformat(target), tick=True)
        config._fake_now.start()


def pytest_unconfigure(config):
    if getattr(config, "_fake_now", None):
        config._fake_now.stop()


def send_due(db):
    """Send what is due through the transport the app is configured with, as the worker does."""
    return outbox.send_due(db, transport=transports.from_config(current_app.config))
