"""Language choice: the person's preference, then the session, then Accept-Language."""

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, lazy_gettext
from flask_login import current_user

from learning_platform.languages import BY_CODE, INTERFACE_LANGUAGES

__all__ = ["current_language", "init_app", "lazy_gettext", "select_locale"]


def select_locale() -> str:
    languages = INTERFACE_LANGUAGES
    if not has_request_context():  # CLI and workers: the site's default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    from learning_platform.calendar.links import feed_subscription, google_event
    from learning_platform.catalog.services import state_of
    from learning_platform.enrollment.services import OfferingState
    from learning_platform.humanize import (
        date_range,
        format_duration,
        time_span,
        your_time_label,
        zone_label,
        zone_note,
    )
    from learning_platform.models import (
        Audience,
        OfferingFormat,
        OfferingKind,
        OfferingStatus,
        RegistrationStatus,
        SessionStatus,
        TokenPurpose,
    )
    from learning_platform.policy import can
    from learning_platform.richtext import render_markdown
    from learning_platform.sdgs import goals_of
    from learning_platform.timezones import format_clock, format_moment, format_span

    app.jinja_env.globals.update(
        format_span=format_span,
        format_moment=format_moment,
        format_clock=format_clock,
        time_span=time_span,
        date_range=date_range,
        zone_label=zone_label,
        zone_note=zone_note,
        your_time_label=your_time_label,
        feed_subscription=feed_subscription,
        sdg_goals=goals_of,
        google_event=google_event,
        can=can,
        offering_state=state_of,
        # Templates compare with the enums, never with string literals.
        Audience=Audience,
        OfferingFormat=OfferingFormat,
        OfferingKind=OfferingKind,
        OfferingState=OfferingState,
        OfferingStatus=OfferingStatus,
        RegistrationStatus=RegistrationStatus,
        SessionStatus=SessionStatus,
        TokenPurpose=TokenPurpose,
    )
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["duration"] = format_duration

    @app.context_processor
    def language_context() -> dict:
        return {
            "current_language": current_language(),
            "language_names": {code: BY_CODE[code].native_name for code in INTERFACE_LANGUAGES},
        }
