"""Staff console blueprint: the commune's web page for the queue, trips and residents."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

# Route modules register their views on bp when imported.
from staff import (  # noqa: E402,F401
    alarms,
    auth,
    cases,
    catalogue,
    commune,
    delivery_words,
    detail,
    errors,
    field,
    filters,
    message_log,
    numbers,
    people,
    phone_numbers,
    place_names,
    prompts,
    queue,
    reports,
    settings,
    trip_room,
    trip_sheet,
    walkin,
)
