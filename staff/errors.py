"""The console's own error pages (404, 500, ...), in the officer's language, with the menu."""

from flask import current_app, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound

from staff import bp

# Machines (providers, the API, monitoring) get a short plain answer, never a page.
MACHINE_PREFIXES = ("/sms/", "/voice/", "/open311/", "/healthz", "/simulator/api/")
PAGES = {
    400: (
        _l("The request could not be read"),
        _l("Something in the form or the address was not understood. Go back and try again."),
    ),
    403: (
        _l("Not allowed"),
        _l("Your account cannot open this page. Ask an admin if you need it."),
    ),
    404: (
        _l("Page not found"),
        _l("There is no page at this address. It may have moved, or the link is mistyped."),
    ),
    405: (
        _l("Not possible here"),
        _l("This page cannot be used this way. Go back and use the buttons on the page."),
    ),
    413: (_l("Too large"), _l("What was sent is too large. Send less at once.")),
    429: (_l("Too many tries"), _l("Wait a few minutes, then try again.")),
    500: (
        _l("Something went wrong"),
        _l(
            "The page could not be shown. Nothing you entered is lost. Try again in a minute;"
            " if it goes on, tell the admin the time it happened."
        ),
    ),
}
FALLBACK = (
    "<!doctype html><html lang=vi><meta charset=utf-8><title>500</title>"
    "<h1>Có lỗi xảy ra / Something went wrong</h1><p><a href=/>Hàng chờ / Queue</a></p>"
)


def wants_page():
    """Tell whether the caller is a person's browser rather than a machine."""
    if request.path.startswith(MACHINE_PREFIXES):
        return False
    return request.accept_mimetypes.accept_html or not request.accept_mimetypes


@bp.app_errorhandler(HTTPException)
def http_error(exc):
    """Render a known HTTP error as a console page, or as one plain line for machines."""
    code = exc.code or 500
    if not wants_page() or code not in PAGES:
        return exc
    title, help_text = PAGES[code]
    try:
        page = render_template("staff/error.html", code=code, title=title, help_text=help_text)
    except Exception:  # a broken page must still say something
        page = FALLBACK
    response = exc.get_response()
    response.set_data(page)
    response.mimetype = "text/html"
    return response


def page_above(path):
    """The nearest page above PATH that a browser can open, e.g. /requests/7 for its /answer."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) or "/"
        try:
            adapter.match(candidate, method="GET")
        except (NotFound, MethodNotAllowed):
            continue
        except HTTPException:  # a redirect to the slash form: a page all the same
            return candidate
        return candidate
    return "/"


@bp.app_errorhandler(MethodNotAllowed)
def method_not_allowed(exc):
    """A form's address opened as a page (a reload, a bookmark): go to the page it belongs to."""
    if request.method in ("GET", "HEAD") and wants_page():
        return redirect(page_above(request.path))
    return http_error(exc)


@bp.app_errorhandler(InternalServerError)
def server_error(exc):
    """Show the 500 page for an unhandled exception (Flask wraps it as InternalServerError)."""
    return http_error(exc)
