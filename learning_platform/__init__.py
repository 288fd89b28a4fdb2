"""The learning platform: ESD workshops and lifelong-learning courses, with calendar feeds."""

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import Config, config_from_env
from learning_platform.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
from learning_platform.forms import FormRequest

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | None = None) -> Flask:
    """Build the app; no side effects beyond reading the configuration."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.request_class = FormRequest
    app.config.from_object(config if config is not None else config_from_env())
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        # Not x_host: the Host header is never trusted (mail links use BASE_URL).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    if (
        app.config["ENV_NAME"] == "production"
        and app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    ):
        app.logger.warning(
            "Rate limits are kept per worker process; set RATELIMIT_STORAGE_URI=redis://... "
            "to share them between gunicorn workers."
        )
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from learning_platform import i18n, memory, security
    from learning_platform.accounts import services as account_services
    from learning_platform.catalog import search
    from learning_platform.mail import outbox
    from learning_platform.main import seo
    from learning_platform.media import templating as media_templating

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    cache.init_app(app, config=memory.cache_settings(app.config))
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = i18n.lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(account_services.load_session_person)
    security.init_app(app)
    i18n.init_app(app)
    seo.init_app(app)
    outbox.init_app(app)
    search.init_app(app)
    media_templating.init_app(app)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside one writer; writers queue for DATABASE_BUSY_TIMEOUT (the
    # connection's timeout, see config.engine_options), then fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class IdConverter(IntegerConverter):
    """A row id in a URL: out-of-range numbers are 404s, not database errors."""

    def __init__(self, url_map, **kwargs) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    from learning_platform.accounts.routes import bp as accounts_bp
    from learning_platform.audit.routes import bp as audit_bp
    from learning_platform.backoffice.routes import bp as backoffice_bp
    from learning_platform.calendar.routes import bp as feeds_bp
    from learning_platform.catalog.routes import bp as catalog_bp
    from learning_platform.completion.routes import bp as completion_bp
    from learning_platform.credentials.routes import bp as credentials_bp
    from learning_platform.enrollment.routes import bp as enrollment_bp
    from learning_platform.impact.report import bp as report_bp
    from learning_platform.impact.routes import bp as impact_bp
    from learning_platform.main.routes import bp as main_bp
    from learning_platform.media.routes import bp as media_bp
    from learning_platform.messages.routes import bp as messages_bp
    from learning_platform.offerings.routes import bp as workspace_bp
    from learning_platform.opendata.routes import bp as opendata_bp
    from learning_platform.pages.routes import bp as pages_bp
    from learning_platform.partners.admin import bp as partner_admin_bp
    from learning_platform.partners.members import bp as members_bp
    from learning_platform.partners.routes import bp as partners_bp
    from learning_platform.questions.routes import bp as questions_bp
    from learning_platform.rights.routes import bp as rights_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(partner_admin_bp)
    app.register_blueprint(backoffice_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(workspace_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(impact_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(enrollment_bp)
    app.register_blueprint(completion_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(rights_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(report_bp)
    app.register_blueprint(credentials_bp)


def register_errorhandlers(app: Flask) -> None:
    from learning_platform import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from learning_platform import cli
    from learning_platform.credentials.cli import credentials_cli
    from learning_platform.mail.cli import mail_cli

    cli.init_app(app)
    app.cli.add_command(mail_cli)
    app.cli.add_command(credentials_cli)
