"""The baseline: a bare Flask app that answers every webhook with a constant TwiML string.

Run under the same gunicorn settings as the service (`gunicorn bench.baseline_app:app`), it
shows what Flask plus gunicorn cost on this machine before any of our work is done.
"""

from flask import Flask, Response

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    "<Response><Message>Xa Phu Lam: Da nhan yeu cau. Ma PL123.</Message></Response>"
)

app = Flask(__name__)


@app.post("/sms/twilio")
@app.post("/voice/<path:step>")
def constant_twiml(step=None):
    """Reply with the same TwiML to any webhook."""
    return Response(TWIML, mimetype="text/xml")


@app.get("/healthz")
def healthz():
    """Readiness probe for the harness."""
    return {"status": "ok"}
