"""Staff console routes."""

from flask import redirect

from app.staff import bp


@bp.get("/login")
def login():
    """Placeholder login page until the console lands."""
    return "<!doctype html><title>Hamlet Line</title><h1>Đăng nhập</h1>"


@bp.get("/")
def home():
    """Send visitors to the login page."""
    return redirect("/login")
