"""How often Open311 may file: per API key, and per resident's phone (each filing texts them).

A leaked or looping key could otherwise file as fast as the server answers, and queue one SMS
per filing to any resident. Past a limit the POST is a 429 in Open311's error format, with
Retry-After; nothing is filed and nothing counts.
"""

import datetime as dt

from app.infra import ratelimits
from open311.spec import ApiError

# A kiosk's busiest morning is a filing every minute or two; a dashboard syncing its queue
# comes in bursts well under this.
PER_KEY = (30, dt.timedelta(minutes=10))
# Each filing queues an SMS: a resident gets at most this many from the API in an hour,
# below the inbound SMS limit's 10 in 10 minutes.
PER_PHONE = (5, dt.timedelta(hours=1))


class TooManyFilings(ApiError):
    """A 429: the key or the phone filed too often; RETRY_AFTER is in seconds."""

    def __init__(self, description, retry_after):
        super().__init__(429, description)
        self.retry_after = retry_after


def check(db, key, phone):
    """Count this filing against KEY and PHONE, or raise TooManyFilings (inside the POST's
    transaction, so a refused filing leaves no hit).
    """
    limit, window = PER_KEY
    wait = ratelimits.hit(db, f"open311:key:{key['id']}", limit=limit, window=window)
    if wait:
        raise TooManyFilings(
            f"this api_key filed {limit} requests in {int(window.total_seconds() // 60)} "
            f"minutes; try again in {wait} seconds",
            wait,
        )
    limit, window = PER_PHONE
    wait = ratelimits.hit(db, f"open311:phone:{phone}", limit=limit, window=window)
    if wait:
        raise TooManyFilings(
            f"this phone had {limit} requests filed in the last hour, each texted to the "
            f"resident; try again in {wait} seconds",
            wait,
        )
