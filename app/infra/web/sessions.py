"""The staff console's signed-cookie session, left unopened on the webhooks machines call."""

from flask.sessions import SecureCookieSessionInterface

PREFIXES = "cookieless_prefixes"


class StaffOnlySessions(SecureCookieSessionInterface):
    """Flask's cookie session, except under the URL prefixes a channel marked cookieless.

    Twilio and the gateway phone carry no session cookie, yet opening and saving one costs
    every webhook a serializer and a signature check (about a tenth of the SMS door's time).
    There Flask's null session stands in: reading it finds nothing, writing to it raises.
    """

    def open_session(self, app, request):
        """Open the cookie session unless the request is under a cookieless prefix."""
        if request.path.startswith(app.extensions.get(PREFIXES, ())):
            return None
        return super().open_session(app, request)


def without_session(state):
    """Mark the registering blueprint's URL prefix as called by machines only (record_once)."""
    prefix = state.url_prefix.rstrip("/") + "/"
    state.app.extensions[PREFIXES] = (*state.app.extensions.get(PREFIXES, ()), prefix)
