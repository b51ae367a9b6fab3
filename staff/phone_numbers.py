"""Phone numbers: each number residents use, its last message in and out, the gateway's state."""

from flask import current_app, render_template

from app.delivery import numbers
from app.infra.database import get_db
from staff import bp
from staff.common import current_commune


@bp.get("/numbers")
def phone_numbers():
    """List the commune's Twilio numbers and gateway phones with their last messages."""
    return render_template(
        "staff/numbers.html",
        numbers=numbers.numbers(
            get_db(),
            current_commune(),
            default_twilio_number=current_app.config.get("TWILIO_FROM_NUMBER"),
        ),
    )
