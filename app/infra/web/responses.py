"""Responses the provider webhooks send back."""

from flask import Response


def twiml(response):
    """Return a TwiML document (a VoiceResponse or MessagingResponse) as text/xml."""
    return Response(str(response), mimetype="text/xml")
