"""WSGI entry point: `gunicorn wsgi:app` and `flask --app wsgi`."""

from app import create_app
from sms.nlu.runtime import ensure_model

app = create_app()
# First start: train the message classifier from the shipped corpus if it is missing.
ensure_model(app)
