"""Fixtures for the security tests: a database handle that leaves requests apart."""

import pytest

from db import connect


@pytest.fixture
def store(app):
    """A connection to the app's database that pushes no app context.

    The shared `db` fixture keeps an app context open, which makes every request of the test
    share one `g` (and so one signed-in user); tests with several browsers must not.
    """
    database = connect(app.config["DATABASE_PATH"])
    yield database
    database.conn.close()
