"""Application factory for Hamlet Line."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import import_string


def create_app(overrides=None):
    """Create the Flask app: config from the environment, then OVERRIDES, then blueprints."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    from app.infra import config

    app.config.from_mapping(config.from_environment(app.instance_path))
    if overrides:
        app.config.from_mapping(overrides)

    from app.infra.web.converters import SqliteIdConverter
    from app.infra.web.json_bodies import BoundedJSONProvider
    from app.infra.web.limits import LimitedRequest

    # A JSON body nested too deeply is a 400 like any broken JSON, not a RecursionError.
    app.json = BoundedJSONProvider(app)

    # Body size and form field limits per route, checked before anything is parsed.
    app.request_class = LimitedRequest

    # Before any blueprint registers a route, so every <int:id> gets the bounded converter.
    app.url_map.converters["int"] = SqliteIdConverter

    from app.infra import database, extensions
    from app.ops import cli, commune_cli, health, metrics, report_cli

    if app.config.get("TRUSTED_PROXIES"):
        # Only a configured number of proxies may tell us the client's address and scheme;
        # without them X-Forwarded-* headers from any client are ignored.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    database.init_app(app)
    extensions.init_app(app)
    cli.init_app(app)
    commune_cli.init_app(app)
    report_cli.init_app(app)
    app.register_blueprint(health.bp)
    metrics.init_app(app)
    # The channels are named in the config, as a Django project names its apps, so the core
    # never imports the channels that sit above it; each channel registers what it adds.
    for channel in app.config["CHANNELS"]:
        app.register_blueprint(import_string(channel))
    return app
