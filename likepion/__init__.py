"""Likepion: the backlink, worker and shortener APIs and the public redirects, in one app."""

import functools
import os

from flask import Flask
from flask.sessions import SessionInterface
from flask_smorest import Api
from flask_swagger_ui import get_swaggerui_blueprint
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module
from likepion import error_handlers, openapi
from likepion.core.converters import IdConverter, ServiceTypeConverter
from likepion.core.enums import ServiceType
from likepion.core.envelope import ErrorRead
from likepion.core.logs import init_logging
from likepion.core.metrics import init_metrics
from likepion.core.ratelimit import (
    api_key_identity,
    client_ip,
    init_rate_limits,
    jwt_identity,
    server_identity,
)
from likepion.core.validation import init_validation
from likepion.extensions import db, jwt, migrate
from likepion.redirect.headers import init_page_headers

SECURITY_SCHEMES = {
    "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "A user's shortener API key; `Token <key>` and the bare key work too",
    },
    "serverKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


class NoCookieSessions(SessionInterface):
    """No Flask cookie session is ever opened: every API call carries its own token or key and
    no page keeps state in a cookie. Views get Flask's NullSession (writing to it raises) and no
    answer sets a session cookie; opening and saving a session cost the redirect a tenth of its
    time."""

    def open_session(self, app, request):
        return None  # Flask makes a NullSession of it

    def save_session(self, app, session, response):
        """Never called: Flask saves no null session."""
        raise NotImplementedError


class LikepionFlask(Flask):
    """Flask, asking once per view or hook whether it is a coroutine function: Flask asks on
    every call, ten times per redirect (its hooks and view), a few microseconds each."""

    @functools.cache  # noqa: B019 - one app per process, living as long as the process
    def ensure_sync(self, func):
        return super().ensure_sync(func)


class LikepionApi(Api):
    """flask-smorest's Api documenting our error envelopes instead of its own."""

    ERROR_SCHEMA = ErrorRead


def create_app(config=None, **overrides) -> Flask:
    """Build the app from a config name ("development", "testing", "production"), a config
    class, or None (LIKEPION_CONFIG, else production when DATABASE_URL is set, else
    development). Keyword overrides win over everything (tests use them)."""
    app = LikepionFlask(__name__, instance_path=str(config_module.INSTANCE_DIR))
    app.session_interface = NoCookieSessions()
    load_config(app, config, overrides)
    trust_proxies(app)
    init_logging(app)
    init_metrics(app)
    register_extensions(app)
    register_blueprints(app)
    init_page_headers(app)
    error_handlers.register_error_handlers(app)
    init_validation(app)
    register_commands(app)
    return app


def load_config(app: Flask, config, overrides: dict) -> None:
    if config is None:
        default = "production" if os.environ.get("DATABASE_URL") else "development"
        config = os.environ.get("LIKEPION_CONFIG", default)
    config_class = config_module.CONFIGS[config] if isinstance(config, str) else config
    app.config.from_object(config_class)
    if not app.config.get("TESTING"):
        missing = [k for k in getattr(config_class, "REQUIRED_FROM_ENV", ()) if k not in os.environ]
        missing += [
            " or ".join(keys)
            for keys in getattr(config_class, "REQUIRED_ONE_OF_ENV", ())
            if not any(key in os.environ for key in keys)
        ]
        if missing:
            raise RuntimeError(f"production config needs these environment variables: {missing}")
        app.config.update(config_module.env_overrides(config_class))
    app.config.update(overrides)
    # A failing statement's message would otherwise carry its parameters (passwords, 2FA
    # secrets, keys) into the logs; no configuration may turn this off.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = app.config["SQLALCHEMY_ENGINE_OPTIONS"] | {
        "hide_parameters": True
    }
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)


def trust_proxies(app: Flask) -> None:
    """Client address, scheme and host from the last TRUSTED_PROXY_HOPS proxies' X-Forwarded-*
    headers; with 0 hops a client-sent X-Forwarded-For changes nothing."""
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    import likepion.models  # noqa: F401 - every table in db.metadata (create_all, migrations)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    jwt.init_app(app)
    error_handlers.register_jwt_loaders(jwt)
    app.url_map.converters["service_type"] = ServiceTypeConverter
    app.url_map.converters["id"] = IdConverter


def register_blueprints(app: Flask) -> None:
    """The three APIs (documented by flask-smorest, rate limited per family), then the public
    pages and the API docs."""
    from likepion.redirect import routes as redirect_routes

    api = register_apis(app)
    app.register_blueprint(redirect_routes.bp)
    openapi.complete(api, app)
    app.register_blueprint(
        get_swaggerui_blueprint(
            "/docs", "/openapi.json", config={"app_name": "Likepion API", "validatorUrl": None}
        )
    )


def register_apis(app: Flask) -> Api:
    from likepion import health
    from likepion.auth import routes as auth_routes
    from likepion.backlink import routes as backlink_routes
    from likepion.credits import routes as credits_routes
    from likepion.shortener import routes as shortener_routes
    from likepion.worker import routes as worker_routes

    api = LikepionApi(app, spec_kwargs={"components": {"securitySchemes": SECURITY_SCHEMES}})
    openapi.describe_fields(api)
    api.register_converter(
        ServiceTypeConverter, lambda _: {"type": "string", "enum": [t.value for t in ServiceType]}
    )
    api.register_converter(
        IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    )
    for blueprint in (health.bp, auth_routes.bp, auth_routes.sso_bp, credits_routes.bp,
                      backlink_routes.bp, worker_routes.bp, shortener_routes.bp):  # fmt: skip
        api.register_blueprint(blueprint)
    app.extensions["likepion_api"] = api
    init_rate_limits(
        app,
        [
            (auth_routes.bp, "AUTH_RATE_LIMIT", client_ip),
            (auth_routes.sso_bp, "AUTH_RATE_LIMIT", client_ip),
            (credits_routes.bp, "BACKLINK_RATE_LIMIT", jwt_identity),
            (backlink_routes.bp, "BACKLINK_RATE_LIMIT", jwt_identity),
            (shortener_routes.bp, "SHORTENER_RATE_LIMIT", api_key_identity),
            (worker_routes.bp, "WORKER_RATE_LIMIT", server_identity),
        ],
    )
    return api


def register_commands(app: Flask) -> None:
    from likepion import cli

    cli.register_commands(app)
