"""Error pages that say what happened in the person's language and leak nothing."""

from contextlib import suppress

from flask import Flask, current_app, g, make_response, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from learning_platform.boundary import DomainError, domain_error_from
from learning_platform.extensions import db

#: Seconds a client is asked to wait (Retry-After) while the database is unavailable.
RETRY_AFTER = 60
#: Errors meaning the database could not be reached or did not answer in time: refused or
#: lost connections, connect and statement timeouts, a locked SQLite file, an exhausted pool.
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            gettext("Bad request"),
            gettext(
                "The request could not be understood. If you sent a form, go back, reload the page and try again."
            ),
        ),
        403: (
            gettext("Not allowed"),
            gettext("You do not have permission to see this page."),
        ),
        404: (
            gettext("Page not found"),
            gettext(
                "We could not find this page. It may have moved, or the address may be mistyped."
            ),
        ),
        405: (
            gettext("Method not allowed"),
            gettext("This address does not accept that kind of request."),
        ),
        413: (
            gettext("Too much data"),
            gettext("What you sent is larger than we accept. Please shorten it and try again."),
        ),
        429: (
            gettext("Too many attempts"),
            gettext("You have tried this too often. Please wait a few minutes and try again."),
        ),
        500: (
            gettext("Something went wrong"),
            gettext(
                "An error on our side stopped this request. Nothing was changed. Please try again later."
            ),
        ),
        503: (
            gettext("Briefly unavailable"),
            gettext("The service is briefly unavailable, try again in a minute."),
        ),
    }


def is_database_unavailable(error: BaseException) -> bool:
    if isinstance(error, UNAVAILABLE):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def render_error(code: int, refusal: DomainError | None = None):
    """The error page of `code`; for a refusal, its own message under a 409/422 title."""
    if refusal is not None:
        text = str(refusal.message)
        title = (
            gettext("This could not be saved") if code == 409 else gettext("This cannot be done")
        )
    else:
        title, text = _messages().get(code, _messages()[500])
    if request_ctx.url_adapter is None:
        # An untrusted Host header: no URL can be built, so no page with links either.
        return f"{code} {title}", code, {"Content-Type": "text/plain; charset=utf-8"}
    if request.accept_mimetypes.best == "application/json":
        if code == 503:
            return {"error": title, "retry_after": RETRY_AFTER}, code
        if refusal is not None:
            return {"error": title, "message": text}, code
        return {"error": title}, code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def render_refusal(refusal: DomainError):
    """The 409/422 page of a refusal no form or redirect could show; nothing is kept."""
    _roll_back()
    return render_error(refusal.status, refusal)


def render_unavailable(error: BaseException):
    """The 503 page, drawn without the database: the header shows nobody signed in."""
    _roll_back()
    # current_user's loader reads the database; an anonymous user needs nothing from it.
    g._login_user = current_app.login_manager.anonymous_user()
    original = getattr(error, "orig", None) or error
    reason = (str(original).strip().splitlines() or [""])[0]
    # One line per request, no traceback: an outage would otherwise flood the log.
    current_app.logger.error(
        "Database unavailable on %s %s: %s: %s",
        request.method,
        request.path,
        type(original).__name__,
        reason,
    )
    response = make_response(render_error(503))
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def _page(code: int):
    """render_error(code), or the 503 page when drawing it needed the unavailable database."""
    try:
        return render_error(code)
    except SQLAlchemyError as error:  # the header's signed-in person is loaded from the database
        if not is_database_unavailable(error):
            raise
        return render_unavailable(error)


def _roll_back() -> None:
    # A lost connection may fail even this; the session is discarded at teardown anyway.
    with suppress(SQLAlchemyError):
        db.session.rollback()


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return _page(400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = make_response(_page(error.code))
        if error.code == 405 and error.valid_methods and response.status_code == 405:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: SQLAlchemyError):
        # A transaction that lost a race (a serialisation failure) is the person's to retry.
        lost_race = domain_error_from(error) if isinstance(error, DBAPIError) else None
        if lost_race is not None:
            return render_refusal(lost_race)
        return render_unavailable(error)

    @app.errorhandler(DomainError)
    def refused(error: DomainError):
        return render_refusal(error)

    @app.errorhandler(IntegrityError)
    def constraint_violated(error: IntegrityError):
        return render_refusal(domain_error_from(error))

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        original = error.original_exception
        if original is not None and is_database_unavailable(original):
            # Raised where the handler above does not run: after the view, or while another
            # error page was drawn.
            return render_unavailable(original)
        _roll_back()
        app.logger.error("Unhandled error on %s %s", request.method, request.path)
        return _page(500)
