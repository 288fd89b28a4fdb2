"""Feed routes: HTTP around the pure builders (validators, 304s, caching, private tokens)."""

from datetime import timedelta
from functools import partial

from flask import Blueprint, Response, abort, current_app, make_response, request
from flask_babel import force_locale, gettext
from sqlalchemy import and_, exists, func, select, update

from learning_platform.boundary import unit_of_work
from learning_platform.calendar import feeds
from learning_platform.calendar.ical import build_calendar
from learning_platform.catalog.services import (
    FEED_FILTERS,
    Filters,
    filtered_offerings,
    of_approved_partner,
)
from learning_platform.extensions import csrf, db, limiter
from learning_platform.languages import CONTENT_LANGUAGES
from learning_platform.mail.services import external_url
from learning_platform.memory import remembered
from learning_platform.models import (
    Offering,
    OfferingSession,
    OfferingStatus,
    Partner,
    Person,
    Theme,
    utcnow,
)
from learning_platform.multilingual import in_language, pick
from learning_platform.security import token_hash

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


def _offering_urls():
    """The offering page's address, made once per offering of a feed (a feed has many events
    per offering)."""
    urls: dict[int, str] = {}

    def offering_url(offering: Offering) -> str:
        if offering.id not in urls:
            urls[offering.id] = external_url("catalog.detail", offering_id=offering.id)
        return urls[offering.id]

    return offering_url


def _language(default: str | None = None) -> str:
    """The feed's language: `?lang=`, else `default` (the private feed's owner's), else the
    best of Accept-Language, else the site's.

    A language we do not write in is a plain 404: a calendar app must not silently get
    another language than the one its subscriber copied.
    """
    asked = request.args.get("lang", "")
    if asked:
        if asked not in CONTENT_LANGUAGES:
            abort(
                Response(
                    f"Unknown language. Feeds are offered in: {', '.join(CONTENT_LANGUAGES)}"
                    " (?lang=…).",
                    status=404,
                    mimetype="text/plain",
                )
            )
        return asked
    if default in CONTENT_LANGUAGES:
        return default
    return (
        request.accept_languages.best_match(CONTENT_LANGUAGES)
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _negotiated() -> bool:
    """Whether the language came from Accept-Language (then caches must keep one body per
    language: `Vary`)."""
    return not request.args.get("lang")


def _calendar_name(suffix: str | None, language: str) -> str:
    with force_locale(language):
        site = gettext("Learning for Sustainable Cities")
    return f"{site} · {suffix}" if suffix else site


def _in(language: str, build):
    """`build(now, name)`, run with the interface and every text in `language`."""

    def built(now, name):
        with in_language(language):
            return build(now, name)

    return built


def _validator(key: str, conditions, now, columns, known) -> feeds.Validator:
    # A new version's Last-Modified, once recorded, holds for every worker from then on.
    with unit_of_work():
        check, _recorded = feeds.validator(key, conditions, now, columns, known)
    return check


def _public_validator(key: str, conditions, now, columns, known) -> feeds.Validator:
    """The validator of a public feed, remembered for FEED_VALIDATOR_SECONDS.

    Calendar apps poll the same feeds over and over; within those seconds an unchanged feed
    is answered 304 without asking the database. A change reaches the feed at most that many
    seconds late (responses already say `max-age=300` to every cache on the way).
    """
    return remembered(
        "feed-validator",
        key,
        current_app.config["FEED_VALIDATOR_SECONDS"],
        lambda: _validator(key, conditions(), now, columns(), known()),
        dump=feeds.Validator.dump,
        load=feeds.Validator.load,
    )


def _serve(
    key: str,
    conditions,
    build,
    *,
    private: bool = False,
    extra=(),
    named=None,
    name_of=None,
    known=None,
) -> Response:
    """Answer 304 from the cheap validator when nothing changed; else build the feed.

    `conditions`, `named` and `known` are callables, so that a remembered validator costs
    nothing. `named()` is a list of scalar subqueries for the feed's name, read in the
    validator's one query: None in the first means the partner, theme or offering does not
    exist (404); `name_of(values)` makes the name of them. `known()` is the condition that the
    things a filter names exist (feeds.validator).
    """
    now = utcnow()
    if private:
        check = _validator(key, conditions(), now, list(extra), None)
    elif named is not None:
        check = _public_validator(key, conditions, now, named, lambda: named()[0].is_not(None))
    else:
        check = _public_validator(key, conditions, now, list, known or (lambda: None))
    if named is not None and check.extras[0] is None:
        abort(404)
    response = make_response()
    response.set_etag(check.etag)
    if check.last_modified is not None:
        response.last_modified = check.last_modified
    if private:
        response.headers["Cache-Control"] = "private, max-age=300"
        response.headers["Referrer-Policy"] = "no-referrer"
    else:
        response.headers["Cache-Control"] = "public, max-age=300"
        if _negotiated():
            response.vary.add("Accept-Language")
    response.headers["X-Robots-Tag"] = "noindex"
    # Werkzeug decides, before the body is built: If-None-Match with the weak comparison
    # (a proxy that gzips sends back W/"..."), "*" and lists, taking precedence over
    # If-Modified-Since; HEAD as GET.
    response.make_conditional(request)
    if response.status_code in (304, 412):
        return response
    name = (name_of or (lambda values: values[0]))(check.extras) if named is not None else None
    response.set_data(build(now, name))
    response.content_type = "text/calendar; charset=utf-8"
    return response


@bp.get("/all.ics")
def all_sessions():
    filters = Filters.from_args({key: request.args.get(key, "") for key in FEED_FILTERS})
    language = _language()
    conditions = partial(filtered_offerings, filters, utcnow(), statuses=None)
    return _serve(
        f"all|{sorted(filters.args().items())}|{language}",
        conditions,
        _in(
            language,
            lambda now, _name: feeds.public_feed(
                _calendar_name(None, language), conditions(), language, now, _offering_urls()
            ),
        ),
        known=partial(_filters_known, filters),
    )


def _filters_known(filters: Filters):
    """The theme and partner a filter names exist (kind, format and language are checked)."""
    named = []
    if filters.theme:
        named.append(exists().where(Theme.slug == filters.theme))
    if filters.partner:
        named.append(exists().where(Partner.slug == filters.partner))
    return and_(*named) if named else None


def _named_feed(key: str, conditions, named, language: str, name_of=None):
    """A feed of one partner, theme or offering; its name comes with the validator."""
    return _serve(
        key,
        conditions,
        _in(
            language,
            lambda now, name: feeds.public_feed(
                _calendar_name(name, language), conditions(), language, now, _offering_urls()
            ),
        ),
        named=named,
        name_of=name_of,
    )


def _texts_of(model, field: str, where) -> list:
    """Subqueries for a translated field in every language: its primary text (None: no such
    row), its translations and its primary language (see `_pick_text`)."""
    query = select(getattr(model, f"_{field}")).where(*where)
    return [
        query.scalar_subquery(),
        query.with_only_columns(model.translations).scalar_subquery(),
        query.with_only_columns(model.primary_language).scalar_subquery(),
    ]


def _pick_text(field: str, language: str):
    """The text `_texts_of` read, in `language` with the usual fallback."""

    def name_of(values) -> str:
        primary_text, translations, primary = values[:3]
        texts = {code: fields.get(field, "") for code, fields in (translations or {}).items()}
        return pick({**texts, primary: primary_text}, language, primary)[0]

    return name_of


def _partner_name(slug: str):
    return _texts_of(Partner, "name", [Partner.slug == slug, Partner.approved.is_(True)])


def _theme_name(slug: str, language: str):
    column = getattr(Theme, f"name_{language}", Theme.name_en)
    return [
        select(func.coalesce(func.nullif(column, ""), Theme.name_en))
        .where(Theme.slug == slug)
        .scalar_subquery()
    ]


def _offering_title(offering_id: int):
    return _texts_of(
        Offering,
        "title",
        [
            Offering.id == offering_id,
            Offering.status != OfferingStatus.DRAFT,
            of_approved_partner(),
        ],
    )


@bp.get("/partners/<slug>.ics")
def partner(slug: str):
    language = _language()
    conditions = partial(filtered_offerings, Filters(partner=slug), utcnow(), statuses=None)
    named = partial(_partner_name, slug)
    return _named_feed(
        f"partner|{slug}|{language}", conditions, named, language, _pick_text("name", language)
    )


@bp.get("/themes/<slug>.ics")
def theme(slug: str):
    language = _language()
    conditions = partial(filtered_offerings, Filters(theme=slug), utcnow(), statuses=None)
    named = partial(_theme_name, slug, language)
    return _named_feed(f"theme|{slug}|{language}", conditions, named, language)


@bp.get("/offerings/<id:offering_id>.ics")
def offering(offering_id: int):
    language = _language()
    conditions = partial(list, [Offering.id == offering_id])
    named = partial(_offering_title, offering_id)
    return _named_feed(
        f"offering|{offering_id}|{language}",
        conditions,
        named,
        language,
        _pick_text("title", language),
    )


@bp.get("/me/<token>.ics")
@csrf.exempt
@limiter.limit("120 per minute")
def personal(token: str):
    # Every invalid token gets the same plain 404, whatever was wrong with it.
    person = (
        db.session.scalar(select(Person).where(Person.feed_token_hash == token_hash(token[:100])))
        if 20 <= len(token) <= 100
        else None
    )
    if person is None or person.disabled_at is not None:  # a disabled account's feed stops
        return Response(
            "Not found",
            status=404,
            mimetype="text/plain",
            headers={"Referrer-Policy": "no-referrer"},
        )
    language = _language(person.preferred_language)
    now = utcnow()
    if person.feed_last_used_at is None or now - person.feed_last_used_at > timedelta(hours=1):
        with unit_of_work():
            db.session.execute(
                update(Person)
                .where(Person.id == person.id)
                .values(feed_last_used_at=now)
                .execution_options(synchronize_session=False)
            )
    return _serve(
        # The alarm is part of the body: changing it must change the ETag.
        f"me|{person.id}|{language}|{person.feed_alarm_minutes or ''}",
        partial(feeds.person_conditions, person),
        _in(
            language,
            lambda now, _name: feeds.personal_feed(person, now, _offering_urls(), language),
        ),
        private=True,
        extra=feeds.person_validator_extra(person),
    )


@bp.get("/sessions/<id:session_id>.ics")
def session(session_id: int):
    """One session as an .ics file: "add to calendar" on the offering page."""
    session = db.get_or_404(OfferingSession, session_id)
    if session.offering.status == OfferingStatus.DRAFT or not session.offering.partner.approved:
        abort(404)
    language = _language()
    with in_language(language):
        body = build_calendar(
            session.offering.title, [session], feeds.event_text(language), _offering_urls()
        )
    response = Response(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="session-{session.id}.ics"',
            "Cache-Control": "public, max-age=300",
        },
    )
    if _negotiated():
        response.vary.add("Accept-Language")
    return response
