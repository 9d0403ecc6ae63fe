"""The course manager application package: create_app() wires everything."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, session
from flask_login import current_user

from config import Config, config_from_env, engine_options
from courses.cpython311 import guard_sqlalchemy_states
from courses.extensions import babel, csrf, db, limiter, login_manager, migrate

# Before any ORM object exists, in every process that imports the app (web workers, the
# job worker, commands, tests): see courses/cpython311.py.
guard_sqlalchemy_states()

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    """Build an application from a config class (APP_CONFIG's by default) and overrides."""
    config_class = config_class or config_from_env()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder=str(PROJECT_DIR / "static"),
        instance_path=str(PROJECT_DIR / "instance"),
    )
    app.config.from_object(config_class)
    config_class.init_app(app)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_hooks(app)
    register_job_kinds()
    register_event_listeners()
    check_certificate_signing(app)
    return app


def check_certificate_signing(app: Flask) -> None:
    """A signing key that cannot be opened (a wrong PKCS#12 password) stops start-up with a message."""
    from courses.certificates import signing

    with app.app_context():
        try:
            signing.check_configuration()
        except signing.SigningUnavailable as error:
            raise RuntimeError(error.message) from None


def select_locale() -> str:
    """The user's saved language, else the one chosen this session, else Vietnamese."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line and plain service code: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_extensions(app: Flask) -> None:
    """Bind the extension singletons to this app."""
    from courses import models  # noqa: F401  (every model must be mapped before use)

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        app.config.get("POSTGRES_RANDOM_PAGE_COST", ""))
    db.init_app(app)
    with app.app_context():
        from courses import db_session, sql_dialect

        sql_dialect.wait_for_write_lock(db.engine, app.config["SQLITE_BUSY_TIMEOUT_SECONDS"])
        db_session.install(db.engine)
        db_session.retry_reads(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")

    @login_manager.user_loader
    def load_user(user_id: str):
        from courses.auth import sessions

        # The id is "<user id>:<session version>:<log-in secret>" (User.get_id): an old
        # version, an ended log-in or an id of a cookie made before either existed logs
        # nobody in.
        return sessions.load(user_id)


def register_blueprints(app: Flask) -> None:
    """Mount each feature's blueprint."""
    from courses.routing import DatabaseIntegerConverter

    app.url_map.converters["int"] = DatabaseIntegerConverter  # before any rule is added
    from courses.admin.views import bp as admin_bp
    from courses.attendance.views import bp as attendance_bp
    from courses.audit.views import bp as audit_bp
    from courses.auth.views import bp as auth_bp
    from courses.catalog.views import bp as catalog_bp
    from courses.certificates.offline_views import bp as offline_verification_bp
    from courses.certificates.views import bp as certificates_bp
    from courses.dashboard.views import bp as dashboard_bp
    from courses.enrollment import import_views, roster_views  # noqa: F401  (importing adds their routes to enrollment_bp)
    from courses.enrollment import views as enrollment_views  # noqa: F401
    from courses.enrollment.blueprint import bp as enrollment_bp
    from courses.i18n.views import bp as i18n_bp
    from courses.jobs.views import bp as jobs_bp
    from courses.quotas import views as quota_views  # noqa: F401  (quotas and nominations: routes on enrollment_bp)
    from courses.scheduling import directory_views, materials_views  # noqa: F401  (their routes join scheduling_bp)
    from courses.scheduling import views as scheduling_views  # noqa: F401  (its routes join scheduling_bp)
    from courses.scheduling.blueprint import bp as scheduling_bp
    from courses.security.views import bp as security_bp

    app.register_blueprint(catalog_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(scheduling_bp, url_prefix="/organize")
    app.register_blueprint(enrollment_bp, url_prefix="/enrollment")
    app.register_blueprint(attendance_bp, url_prefix="/attendance")
    app.register_blueprint(certificates_bp)
    app.register_blueprint(offline_verification_bp)
    app.register_blueprint(audit_bp, url_prefix="/admin/audit")
    app.register_blueprint(security_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(jobs_bp, url_prefix="/jobs")
    if app.config.get("BENCHMARK"):  # the benchmark floor route exists only in benchmark runs
        from courses.perf.views import bp as perf_bp

        app.register_blueprint(perf_bp)


def register_errorhandlers(app: Flask) -> None:
    """Error pages in the site's layout and language; roll back on 500."""
    from courses.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates use."""
    from courses import enums, formatting
    from courses.i18n import templates
    from courses.permissions import is_staff

    formatting.register(app)
    templates.install(app)
    from courses.organizations.services import unit_display_name

    app.add_template_filter(unit_display_name, "unit_name")
    # Every enum by its name, so templates compare `status == EnrollmentStatus.CONFIRMED`,
    # never against the raw stored value.
    app.jinja_env.globals.update({name: value for name, value in vars(enums).items()
                                  if isinstance(value, type) and issubclass(value, enums.LabeledEnum)
                                  and value is not enums.LabeledEnum})
    app.jinja_env.globals.update(is_staff=is_staff)


def register_job_kinds() -> None:
    """The kinds of background job each feature offers (courses.jobs.registry.JOB_MODULES)."""
    from courses.jobs.registry import register_builtin_kinds

    register_builtin_kinds()


# Modules whose listen() calls react to courses.events (mail, webhooks): importing registers them.
EVENT_LISTENER_MODULES: tuple[str, ...] = ()


def register_event_listeners() -> None:
    """Who hears what happens in a course's life: see courses/events.py."""
    import importlib

    for module in EVENT_LISTENER_MODULES:
        importlib.import_module(module)


def register_commands(app: Flask) -> None:
    """Command-line tools: flask --app run <command>."""
    from courses.cli import register

    register(app)


def register_hooks(app: Flask) -> None:
    """Request hooks: access enforcement and the language of the page."""
    from courses.permissions import enforce_access

    @app.before_request
    def remember_locale():
        # Flask-Babel caches the locale on g, which outlives a request when an app
        # context was already pushed (tests, CLI): choose afresh for every request.
        from flask_babel import refresh

        refresh()
        g.locale = select_locale()

    app.before_request(enforce_access)  # after the locale: its refusals speak the page's language

    from courses import security

    security.init_app(app)  # security headers, request ids and logging, body limit, backups
