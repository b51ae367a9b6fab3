"""The prompt recordings as Twilio fetches them: public, one unguessable URL per file version."""

import re

from flask import abort, send_file

from app.infra.database import get_db
from app.prompts import audio as prompt_audio
from voice import bp

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
# A token names one file version that never changes, so it may be cached for a year.
CACHE_SECONDS = 365 * 24 * 3600


@bp.get("/audio/<token>.<ext>")
def prompt_audio_file(token, ext):
    """Send a ready recording; anything unknown is 404, whatever part of it is wrong."""
    if not TOKEN.match(token) or ext not in prompt_audio.MIMETYPES:
        abort(404)
    row = prompt_audio.by_token(get_db(), token)
    if row is None or row["mimetype"] != prompt_audio.MIMETYPES[ext]:
        abort(404)
    response = send_file(
        row["path"], mimetype=row["mimetype"], etag=token, max_age=CACHE_SECONDS, conditional=True
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
