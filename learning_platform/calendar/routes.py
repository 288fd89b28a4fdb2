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
from learning_platform.languages import BY_CODE, CONTENT_LANGUAGES
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


def _language() -> str:
    language = request.args.get("lang", "")
    return language if language in CONTENT_LANGUAGES else current_app.config["BABEL_DEFAULT_LOCALE"]


def _calendar_name(suffix: str | None, language: str) -> str:
    # A language without an interface catalog (Thai, for now) names the site in English.
    with force_locale(language if BY_CODE[language].interface else "en"):
        site = gettext("Learning for Sustainable Cities")
    return f"{site} · {suffix}" if suffix else site


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
    key: str, conditions, build, *, private: bool = False, extra=(), named=None, known=None
) -> Response:
    """Answer 304 from the cheap validator when nothing changed; else build the feed.

    `conditions`, `named` and `known` are callables, so that a remembered validator costs
    nothing. `named()` is a scalar subquery giving the feed's name, read in the validator's one
    query: None there means the partner, theme or offering does not exist (404). `known()` is
    the condition that the things a filter names exist (feeds.validator).
    """
    now = utcnow()
    if private:
        check = _validator(key, conditions(), now, list(extra), None)
    elif named is not None:
        check = _public_validator(
            key, conditions, now, lambda: [named()], lambda: named().is_not(None)
        )
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
    response.headers["X-Robots-Tag"] = "noindex"
    # Werkzeug decides, before the body is built: If-None-Match with the weak comparison
    # (a proxy that gzips sends back W/"..."), "*" and lists, taking precedence over
    # If-Modified-Since; HEAD as GET.
    response.make_conditional(request)
    if response.status_code in (304, 412):
        return response
    name = check.extras[0] if named is not None else None
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
        lambda now, _name: feeds.public_feed(
            _calendar_name(None, language), conditions(), language, now, _offering_urls()
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


def _named_feed(key: str, conditions, named, language: str):
    """A feed of one partner, theme or offering; its name comes with the validator."""
    return _serve(
        key,
        conditions,
        lambda now, name: feeds.public_feed(
            _calendar_name(name, language), conditions(), language, now, _offering_urls()
        ),
        named=named,
    )


def _partner_name(slug: str):
    return (
        select(Partner.name)
        .where(Partner.slug == slug, Partner.approved.is_(True))
        .scalar_subquery()
    )


def _theme_name(slug: str, language: str):
    column = getattr(Theme, f"name_{language}", Theme.name_en)
    return (
        select(func.coalesce(func.nullif(column, ""), Theme.name_en))
        .where(Theme.slug == slug)
        .scalar_subquery()
    )


def _offering_title(offering_id: int):
    return (
        select(Offering.title)
        .where(
            Offering.id == offering_id,
            Offering.status != OfferingStatus.DRAFT,
            of_approved_partner(),
        )
        .scalar_subquery()
    )


@bp.get("/partners/<slug>.ics")
def partner(slug: str):
    language = _language()
    conditions = partial(filtered_offerings, Filters(partner=slug), utcnow(), statuses=None)
    named = partial(_partner_name, slug)
    return _named_feed(f"partner|{slug}|{language}", conditions, named, language)


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
    return _named_feed(f"offering|{offering_id}|{language}", conditions, named, language)


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
        f"me|{person.id}|{person.preferred_language}|{person.feed_alarm_minutes or ''}",
        partial(feeds.person_conditions, person),
        lambda now, _name: feeds.personal_feed(person, now, _offering_urls()),
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
    body = build_calendar(
        session.offering.title, [session], feeds.event_text(language), _offering_urls()
    )
    return Response(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="session-{session.id}.ics"',
            "Cache-Control": "public, max-age=300",
        },
    )
