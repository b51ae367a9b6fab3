"""Voice prompts: every prompt the phone says, its recording and whether it is current.

Staff may listen; only admins record, upload, delete or edit a prompt's words, and each
change is audited. The upload is stored as it came: the worker converts it.
"""

from flask import abort, current_app, flash, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import communes
from app.infra.database import get_db
from app.prompts import audio as prompt_audio
from app.prompts import catalogue
from staff import bp
from staff.auth import CONTENT_SECURITY_POLICY
from staff.common import actor, admin_required, back

STATES = ("current", "stale", "pending", "refused", "missing")
REFUSALS = {
    "unknown": _l("There is no such prompt."),
    "too_big": _l("Not saved: the file is larger than 2 MB."),
    "not_audio": _l("Not saved: the file is not audio we can read (WAV, MP3, OGG, WebM, M4A)."),
    "silent": _l("Not saved: no voice was heard in the recording."),
    "budget": _l("Not saved: the recording is longer than this prompt's time budget."),
    "greeting": _l("Not saved: the greeting and the main menu would last more than 30 seconds."),
}
TEXT_REFUSALS = {
    "holes": _l("Not saved: keep every {…} part of the words, as in the original."),
    "long": _l("Not saved: the new words take much longer to say than the original."),
}
GROUP_TITLES = {
    "prompt": _l("Fixed prompts"),
    "part": _l("Fixed parts of prompts with a changing part"),
    "summary": _l("Procedure summaries"),
    "piece": _l("Pieces: digits, numbers, days, months, hamlet and procedure names"),
}


def commune_id():
    """The commune the officer works in, as the console bound it for this request."""
    return communes.current_id()


def chosen_language():
    """The language of prompts shown: Vietnamese unless English is asked for."""
    language = request.values.get("lang", "vi")
    return language if language in catalogue.LANGUAGES else "vi"


def listing(db, language, state_filter):
    """[(group, [(entry, state, row, seconds)])] for the page, and the counts per state."""
    found = prompt_audio.recordings(db, commune_id(), language)
    groups = {group: [] for group in catalogue.GROUPS}
    counts = dict.fromkeys(("recorded", "placeholder", "stale", "pending", "missing"), 0)
    for entry in catalogue.entries(db, commune_id(), language):
        state, row = prompt_audio.state_of(found, entry)
        counted = "missing" if state == "refused" else state
        if state == "current":
            counted = "placeholder" if row["placeholder"] else "recorded"
        counts[counted] += 1
        if state_filter in STATES and state != state_filter:
            continue
        seconds = row["duration_ms"] / 1000 if row and row["duration_ms"] else None
        groups[entry.group].append((entry, state, row, seconds))
    return [(group, items) for group, items in groups.items() if items], counts


def with_microphone(response):
    """Let this page use the microphone and play back the take before it is saved."""
    response.headers["Permissions-Policy"] = "camera=(), microphone=(self), geolocation=()"
    policy = CONTENT_SECURITY_POLICY.replace("media-src 'self'", "media-src 'self' blob:")
    response.headers["Content-Security-Policy"] = policy
    return response


@bp.get("/prompts")
def prompts():
    """List every prompt with its words, its recording and its state."""
    db = get_db()
    language = chosen_language()
    state_filter = request.args.get("state", "")
    groups, counts = listing(db, language, state_filter)
    page = render_template(
        "staff/prompts.html",
        groups=groups,
        counts=counts,
        language=language,
        state_filter=state_filter if state_filter in STATES else "",
        states=STATES,
        titles=GROUP_TITLES,
        max_mb=prompt_audio.MAX_UPLOAD_BYTES // (1024 * 1024),
        can_edit=current_user.is_admin,
    )
    return with_microphone(make_response(page))


def wants_json():
    """Tell whether the page's script sent this (it reads a JSON answer)."""
    return request.accept_mimetypes.best == "application/json"


def answer(message, status, category):
    """Tell the officer what happened: JSON for the script, else the list with a message."""
    if wants_json():
        return jsonify({"message": str(message)}), status
    flash(message, category)
    if status >= 400:
        db = get_db()
        groups, counts = listing(db, chosen_language(), "")
        page = render_template(
            "staff/prompts.html",
            groups=groups,
            counts=counts,
            language=chosen_language(),
            state_filter="",
            states=STATES,
            titles=GROUP_TITLES,
            max_mb=prompt_audio.MAX_UPLOAD_BYTES // (1024 * 1024),
            can_edit=current_user.is_admin,
        )
        return with_microphone(make_response(page, status))
    return back("staff.prompts", lang=chosen_language())


@bp.post("/prompts/<key>/recording")
@admin_required
def prompt_upload(key):
    """Take a recording or an uploaded file; the worker converts it."""
    upload = request.files.get("audio")
    if upload is None or not upload.filename:
        return answer(_("Choose a file or record first."), 400, "error")
    # One byte more than allowed tells a too-big file apart without reading it all.
    data = upload.stream.read(prompt_audio.MAX_UPLOAD_BYTES + 1)
    try:
        prompt_audio.accept_upload(
            get_db(),
            current_app.config,
            commune_id=commune_id(),
            key=key,
            language=chosen_language(),
            data=data,
            actor=actor(),
        )
    except prompt_audio.Refused as refused:
        if refused.status == 404:
            abort(404)
        return answer(REFUSALS[refused.reason], refused.status, "error")
    return answer(_("Recording received: it is being prepared for the phone."), 202, "success")


@bp.post("/prompts/<key>/delete")
@admin_required
def prompt_delete(key):
    """Delete the commune's recording of a prompt; the phone says its words again."""
    gone = prompt_audio.delete(
        get_db(), commune_id=commune_id(), key=key, language=chosen_language(), actor=actor()
    )
    if not gone:
        abort(404)
    message = _("Recording deleted: the phone says these words with its voice.")
    return answer(message, 200, "success")


@bp.post("/prompts/<key>/text")
@admin_required
def prompt_text(key):
    """Change a prompt's words (blank restores the original); its recording becomes stale."""
    try:
        catalogue.edit_text(
            get_db(),
            commune_id(),
            key,
            chosen_language(),
            request.form.get("text", ""),
            actor=actor(),
        )
    except KeyError:
        abort(404)
    except catalogue.TextRefused as refused:
        return answer(TEXT_REFUSALS[str(refused)], 400, "error")
    return answer(_("Words saved. A recording of the old words is now stale."), 200, "success")
