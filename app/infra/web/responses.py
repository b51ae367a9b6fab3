"""Responses the provider webhooks send back."""

from flask import Response
from twilio.twiml.messaging_response import MessagingResponse

# The SMS door's answer to every message, the same each time: rendered once.
_EMPTY_MESSAGING = str(MessagingResponse())


def twiml(response):
    """Return a TwiML document (a VoiceResponse or MessagingResponse) as text/xml."""
    return Response(str(response), mimetype="text/xml")


def empty_messaging():
    """Return the empty <Response/> that acknowledges an SMS without replying inline."""
    return Response(_EMPTY_MESSAGING, mimetype="text/xml")
