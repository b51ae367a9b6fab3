"""Voice channel blueprint: the Twilio IVR."""

from flask import Blueprint

from app.infra.web.sessions import without_session

bp = Blueprint("voice", __name__, url_prefix="/voice")

from voice import audio, lengths, prompt_lengths, routes  # noqa: E402,F401  (routes register on bp)

# Twilio calls these routes; it carries no staff session.
bp.record_once(without_session)


@bp.record_once
def _signed_not_csrf(state):
    """Twilio's calls prove themselves by signature, not by a CSRF token."""
    from app.infra.extensions import csrf

    csrf.exempt(bp)


@bp.record_once
def _measure_answers_for_the_console(state):
    """Hand the app the check of the phone's answers about procedures (their length)."""
    state.app.extensions.setdefault("answer_length_checks", []).append(lengths.too_long)


@bp.record_once
def _measure_recordings_for_the_worker(state):
    """Hand the app the check of the answers a new recording would play in (their length)."""
    state.app.extensions.setdefault("prompt_length_checks", []).append(
        prompt_lengths.prompt_too_long
    )
