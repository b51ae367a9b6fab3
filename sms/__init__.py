"""SMS channel blueprint: Twilio and Android gateway webhooks, and the `flask nlu` commands."""

from flask import Blueprint

from app.infra.web.sessions import without_session

# cli_group=None puts the blueprint's commands at the top level: `flask nlu train`.
bp = Blueprint("sms", __name__, url_prefix="/sms", cli_group=None)

from sms import routes  # noqa: E402,F401  (routes register on bp)
from sms.nlu.cli import nlu_cli  # noqa: E402

bp.cli.add_command(nlu_cli)


# Providers and the gateway phone call these routes; they carry no staff session.
bp.record_once(without_session)


@bp.record_once
def _answered_from_the_back(state):
    """Hand the worker the answering of stored messages; webhooks sign, so no CSRF token."""
    from app.infra.extensions import csrf
    from sms.inbox import answer_waiting

    state.app.extensions["answer_waiting"] = answer_waiting
    csrf.exempt(bp)


@bp.record_once
def _nightly_retraining(state):
    """Hand the worker the nightly retraining of the classifier on staff corrections."""
    from sms.nlu import runtime

    jobs = state.app.extensions.setdefault("nightly_jobs", [])
    jobs.append(("nlu_retrain", runtime.retrain_on_corrections))
