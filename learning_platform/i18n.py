"""Language choice: `?lang=` on the address, then the person's preference, then the session,
then Accept-Language.

`?lang=th` serves that one request in Thai, so a shared link keeps its language; it is not
remembered (the language switch is how a person chooses for good). While a page is served
with `?lang=`, the links it makes to other public pages carry it too (`keep_shared_language`).
"""

from collections.abc import Iterable
from functools import partial
from urllib.parse import urlsplit, urlunsplit

from flask import (
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, gettext, lazy_gettext
from flask_login import current_user
from markupsafe import Markup

from learning_platform.languages import BY_CODE, INTERFACE_LANGUAGES
from learning_platform.security import is_safe_path

__all__ = ["current_language", "init_app", "lazy_gettext", "select_locale", "shared_language"]

#: Public pages whose links keep a `?lang=` the page was served with. Personal, organizer
#: and admin pages follow the person's own choice; feeds take `lang` as their own argument.
SHARED_LANGUAGE_PAGES = frozenset(
    {
        "main.index",
        "catalog.index",
        "catalog.detail",
        "catalog.themes",
        "catalog.theme",
        "partners.index",
        "partners.detail",
        "pages.about",
        "pages.privacy",
        "pages.terms",
        "pages.contact",
        "report.summary",
        "opendata.index",
    }
)


def shared_language() -> str | None:
    """The language `?lang=` asks for on this request, if it is one we offer."""
    if not has_request_context():
        return None
    language = request.args.get("lang", "")
    return language if language in INTERFACE_LANGUAGES else None


def select_locale() -> str:
    if not has_request_context():  # CLI and workers: the site's default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = shared_language()
    if asked:
        return asked
    return usual_language()


def usual_language() -> str:
    """The language this visitor gets without `?lang=`: their account's, the switch's in this
    visit, else their browser's (Accept-Language), else the site's."""
    languages = INTERFACE_LANGUAGES
    if current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # Negotiated from the header: caches must keep one copy per Accept-Language.
    g.language_from_header = True
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def shared_language_banner() -> dict | None:
    """A page served in another language by `?lang=` than the visitor's usual one (a link
    someone shared): a line in THEIR language saying so, with a link to the page in it."""
    asked = shared_language()
    if not asked or request.url_rule is None or request.endpoint is None:
        return None
    usual = usual_language()
    if usual == asked:
        return None
    with force_locale(usual):
        text = gettext(
            "You are reading this page in %(language)s.", language=str(BY_CODE[asked].label)
        )
        link = gettext("Read it in %(language)s", language=str(BY_CODE[usual].label))
    arguments = {key: value for key, value in this_page_arguments().items() if key != "lang"}
    return {
        "language": usual,
        "text": text,
        "link": link,
        "url": url_for(request.endpoint, **arguments, lang=None),
    }


def switch_next() -> str:
    """Where the language switch sends the person back: this page when it is a GET page;
    after a POST (or on an address with no page) the referring page if it is ours, else home
    (sending them back with GET to a POST-only address would be a 405)."""
    if request.method == "GET" and request.url_rule is not None:
        page = request.full_path if request.query_string else request.path
        if is_safe_path(page):
            return page
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.scheme in ("http", "https"):
        path = urlunsplit(("", "", referrer.path, referrer.query, ""))
        if is_safe_path(path):
            return path
    return url_for("main.index")


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def shown_in(item, field: str) -> str | None:
    """The language `item`'s `field` is shown in, when it is not the page's (else None)."""
    text, language = item.shown(field)
    return language if text and language != current_language() else None


def lang_attr(item, field: str) -> Markup:
    """` lang="en"` for an element holding `item`'s `field` shown in another language than
    the page's, so screen readers, fonts and hyphenation follow the text."""
    language = shown_in(item, field)
    return Markup(' lang="{}"').format(language) if language else Markup("")


def fallback_note(item, fields: Iterable[str]) -> str | None:
    """ "Shown in English: not yet written in Thai." when some of `fields` fall back."""
    shown = dict.fromkeys(code for code in map(partial(shown_in, item), fields) if code)
    if not shown:
        return None
    return gettext(
        "Shown in %(shown)s: not yet written in %(reader)s.",
        shown=", ".join(str(BY_CODE[code].label) for code in shown),
        reader=BY_CODE[current_language()].label,
    )


def this_page_arguments() -> dict:
    """This page's route and query arguments but `lang`, for `url_for(request.endpoint, …)`.
    url_for's own keywords (`_external`, `_scheme`, `endpoint` …) never come from the address."""
    arguments = {
        key: values
        for key, values in request.args.to_dict(flat=False).items()
        if key != "lang" and key != "endpoint" and not key.startswith("_")
    }
    return {**arguments, **(request.view_args or {})}


def read_in(item, fields: Iterable[str]) -> list[tuple[str, str, str]]:
    """A way out of a fallback note: (code, "Read in English", address of this page in
    English) for each other language `item` has every falling-back field of `fields` in."""
    falling = [field for field in fields if shown_in(item, field)]
    if not falling or request.url_rule is None or request.endpoint is None:
        return []
    shown = {item.shown(field)[1] for field in falling}
    arguments = this_page_arguments()
    return [
        (
            code,
            gettext("Read in %(language)s", language=BY_CODE[code].label),
            url_for(request.endpoint, **arguments, lang=code),
        )
        for code in item.languages_in_order()
        if code in INTERFACE_LANGUAGES
        and code != current_language()
        and code not in shown
        and all(item.text(field, code) for field in falling)
    ]


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
        lang_attr=lang_attr,
        shown_in=shown_in,
        fallback_note=fallback_note,
        read_in=read_in,
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
            "shared_language": shared_language(),
            "switch_next": switch_next,
            "shared_language_banner": shared_language_banner,
        }

    @app.before_request
    def refuse_unknown_language():
        """`?lang=` with a language we do not offer: a 404 that links to the ones we do."""
        asked = request.args.get("lang")
        if asked is None or asked in INTERFACE_LANGUAGES:
            return None
        if request.blueprint == "feeds":  # a calendar app gets the feeds' own plain answer
            return None
        if request.url_rule is None or request.endpoint is None:
            # No page here: the plain 404, no links built from an address we did not make.
            abort(404)
        arguments = this_page_arguments()
        offered = [
            (BY_CODE[code], url_for(request.endpoint, **arguments, lang=code))
            for code in INTERFACE_LANGUAGES
        ]
        page = render_template("errors/unknown_language.html", asked=asked, offered=offered)
        return page, 404

    @app.url_defaults
    def keep_shared_language(endpoint: str, values: dict) -> None:
        # Flask's documented place for a URL argument every link carries. An explicit
        # `lang=` (a feed's, an alternate's, `lang=None` for none) is left alone.
        # Only while serving a shared-language page: machine outputs (CSV, sitemap, feeds)
        # list plain addresses even when asked with `?lang=`.
        language = shared_language()
        if (
            language
            and request.endpoint in SHARED_LANGUAGE_PAGES
            and endpoint in SHARED_LANGUAGE_PAGES
            and "lang" not in values
        ):
            values["lang"] = language

    @app.after_request
    def vary_on_accept_language(response):
        if g.get("language_from_header"):
            response.vary.add("Accept-Language")
        return response
