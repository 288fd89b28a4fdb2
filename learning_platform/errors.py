"""Error pages that say what happened in the person's language and leak nothing."""

from flask import Flask, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from learning_platform.extensions import db


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
    }


def render_error(code: int):
    title, text = _messages().get(code, _messages()[500])
    if request_ctx.url_adapter is None:
        # An untrusted Host header: no URL can be built, so no page with links either.
        return f"{code} {title}", code, {"Content-Type": "text/plain; charset=utf-8"}
    if request.accept_mimetypes.best == "application/json":
        return {"error": title}, code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return render_error(400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = render_error(error.code)
        if error.code == 405 and error.valid_methods:
            body, code = response
            return body, code, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()
        app.logger.error("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
