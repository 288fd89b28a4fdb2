"""What each calendar feed was last served as: its high-water mark (calendar/feeds.py)."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from learning_platform.models.base import Base


class FeedMark(Base):
    """A feed's ETag when last seen, and the Last-Modified given to that version.

    A new ETag gets a later Last-Modified than the one before, whatever left the feed, so a
    calendar polling with If-Modified-Since never keeps a stale copy.
    """

    __tablename__ = "feed_mark"

    #: SHA-256 of the feed's key (feed, filters, language), so a key of any length fits.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    etag: Mapped[str] = mapped_column(String(40))
    #: Whole seconds, as HTTP dates have them.
    last_modified: Mapped[datetime]
