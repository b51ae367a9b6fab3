"""Twilio Voice webhooks: check the signature, let the step answer, return its TwiML.

Every step of a call has its own URL (the TwiML's next actions are built from these
endpoints) and one view: the signature check, then `steps.answer_step` with the path,
the query and Twilio's form fields.
"""

from flask import request

from app.infra.database import get_db
from app.infra.web.responses import twiml
from app.infra.web.signatures import require_twilio_signature
from voice import bp, steps


@bp.post("/incoming", endpoint="incoming")
@bp.post("/menu", endpoint="menu")
@bp.post("/visit", endpoint="visit")
@bp.post("/visit/<int:request_id>", endpoint="visit_done")
@bp.post("/hamlets", endpoint="hamlets")
@bp.post("/hamlets/<int:group>", endpoint="hamlet_group")
@bp.post("/schedule/<int:hamlet_id>", endpoint="schedule")
@bp.post("/guidance", endpoint="guidance")
@bp.post("/guidance/<code>", endpoint="procedure")
@bp.post("/message", endpoint="message")
@bp.post("/record", endpoint="record")
@bp.post("/goodbye", endpoint="goodbye")
@bp.post("/recording-status", endpoint="recording_status")
@bp.post("/status", endpoint="status")
@require_twilio_signature
def step(**view_args):
    """A step of a call (what each does: voice/steps.py), answered once it is signed."""
    answer = steps.answer_step(
        get_db(),
        request.path,
        request.form,
        query=request.query_string.decode("utf-8", "replace"),
        matched=(request.endpoint, view_args),
    )
    return ("", 204) if answer is None else twiml(answer)
