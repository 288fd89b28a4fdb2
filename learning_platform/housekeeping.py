"""Housekeeping: what the platform no longer needs, found and removed in small batches.

`flask housekeeping` (learning_platform.cli) runs these and commits after each batch; the
functions here only change the session. Each batch skips rows another run holds
(PostgreSQL) or waits for its write lock (SQLite), so two runs at once remove each row once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, delete, exists, or_, select, update

from learning_platform.extensions import db
from learning_platform.mail.outbox import GIVEN_UP_NOTE, SENT_NOTE, without_secret
from learning_platform.models import (
    AccountToken,
    Answer,
    Base,
    Image,
    LoginSession,
    Offering,
    OfferingSession,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Registration,
    SessionStatus,
)

#: An image row or file nothing uses is kept this long: its upload's commit may still be on
#: the way.
UNUSED_IMAGE_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class Sweep:
    """Rows of `model` matching `condition` are no longer needed; `label` says which."""

    label: str
    model: type[Base]
    condition: ColumnElement[bool]


def sweeps(now: datetime) -> list[Sweep]:
    config = current_app.config
    sent_days, failed_days = config["MAIL_KEEP_SENT_DAYS"], config["MAIL_KEEP_FAILED_DAYS"]
    answer_days = config["ANSWERS_KEEP_DAYS"]
    return [
        Sweep(
            f"sent mail older than {sent_days} days",
            OutboxMessage,
            and_(
                OutboxMessage.status == OutboxStatus.SENT,
                OutboxMessage.sent_at < now - timedelta(days=sent_days),
            ),
        ),
        Sweep(
            f"failed mail older than {failed_days} days",
            OutboxMessage,
            and_(
                OutboxMessage.status == OutboxStatus.FAILED,
                OutboxMessage.created_at < now - timedelta(days=failed_days),
            ),
        ),
        # A used or expired link is refused either way; without its row it is simply unknown.
        Sweep(
            "used or expired account links",
            AccountToken,
            or_(AccountToken.used_at.is_not(None), AccountToken.expires_at <= now),
        ),
        Sweep("expired login sessions", LoginSession, LoginSession.expires_at <= now),
        Sweep(
            f"answers to registration questions {answer_days} days after the offering ended",
            Answer,
            Answer.registration_id.in_(
                select(Registration.id).where(
                    Registration.offering_id.in_(_ended_before(now - timedelta(days=answer_days)))
                )
            ),
        ),
        # Two uploads of the same cover at once both replace it; the one that loses leaves an
        # image row nothing shows. Its files go with the unused files below, in the same run.
        Sweep(
            "images no cover or logo uses",
            Image,
            and_(
                Image.created_at < now - UNUSED_IMAGE_GRACE,
                ~exists().where(Offering.cover_id == Image.id),
                ~exists().where(Partner.logo_id == Image.id),
            ),
        ),
    ]


def _ended_before(cutoff: datetime) -> Select:
    """Offerings cancelled, or whose last scheduled session ended, before `cutoff`."""
    sessions = select(OfferingSession.offering_id).where(
        OfferingSession.status == SessionStatus.SCHEDULED
    )
    return select(Offering.id).where(
        or_(
            Offering.cancelled_at < cutoff,
            and_(
                Offering.id.in_(sessions),
                ~Offering.id.in_(sessions.where(OfferingSession.ends_at >= cutoff)),
            ),
        )
    )


def delete_batch(sweep: Sweep, size: int) -> int:
    """Delete up to `size` rows of `sweep`; return how many this call deleted."""
    ids = _unclaimed(
        select(sweep.model.id).where(sweep.condition).order_by(sweep.model.id).limit(size)
    )
    deleted = db.session.execute(
        delete(sweep.model)
        .where(sweep.model.id.in_(ids.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return deleted.rowcount


def remove_secrets_batch(size: int) -> int:
    """Remove the text of up to `size` sent or given-up messages still holding a single-use link.

    Sending removes it; this catches messages stored before it did.
    """
    rows = db.session.execute(
        _unclaimed(
            select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.raw)
            .where(
                OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
                OutboxMessage.contains_secret.is_(True),
            )
            .order_by(OutboxMessage.id)
            .limit(size)
        )
    ).all()
    removed = 0
    for row in rows:
        note = SENT_NOTE if row.status == OutboxStatus.SENT else GIVEN_UP_NOTE
        # Conditional, so a message another run has just changed is counted there, not here.
        changed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.contains_secret.is_(True))
            .values(raw=without_secret(row.raw, note), contains_secret=False)
            .execution_options(synchronize_session=False)
        )
        removed += changed.rowcount
    return removed


def delete_mail_files(now: datetime) -> int:
    """Delete the .eml files written without a mail server (MAIL_OUTBOX_DIR) once they are
    older than MAIL_KEEP_SENT_DAYS: they hold whole messages, reset links included."""
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    cutoff = (now - timedelta(days=current_app.config["MAIL_KEEP_SENT_DAYS"])).timestamp()
    deleted = 0
    for path in folder.glob("*.eml") if folder.is_dir() else ():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # another run was first
            continue
    return deleted


def delete_unused_image_files(now: datetime) -> int:
    """Delete the files in MEDIA_ROOT no image row names any more (a replaced or removed
    cover or logo; an upload whose transaction failed), once older than UNUSED_IMAGE_GRACE."""
    from learning_platform.media.storage import FILE_NAME, media_root

    folder = media_root()
    if not folder.is_dir():
        return 0
    used = set(db.session.scalars(select(Image.key).distinct()))
    cutoff = (now - UNUSED_IMAGE_GRACE).timestamp()
    deleted = 0
    for path in folder.iterdir():
        stored = FILE_NAME.fullmatch(path.name)
        leftover = path.name.startswith(".upload-")  # a write that never finished
        if not (stored or leftover) or (stored and path.name.split("-")[0] in used):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # another run was first
            continue
    return deleted


def _unclaimed(query: Select) -> Select:
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows another run has locked are left to it, instead of waiting (and counting) twice.
        return query.with_for_update(skip_locked=True)
    return query
