"""The words of each offering, as the catalog's word search reads them."""

from sqlalchemy import ForeignKey, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from learning_platform.models.base import Base

#: Space-separated terms; on PostgreSQL stored as a tsvector, so nothing is parsed per search.
TERMS = Text().with_variant(TSVECTOR(), "postgresql")


class OfferingSearch(Base):
    """One row per offering: its searchable text as space-separated terms (see
    catalog/search.py), rebuilt whenever the offering, its partners' or its themes' names
    change. The index over it is the database's own: an FTS5 table on SQLite, a GIN index
    over the three columns on PostgreSQL (both made by the migration)."""

    __tablename__ = "offering_search"

    offering_id: Mapped[int] = mapped_column(
        ForeignKey("offering.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    #: Terms of the title: a match there counts most.
    title: Mapped[str] = mapped_column(TERMS, default="")
    #: Terms of the summary, partner and co-host names, theme names and venue.
    context: Mapped[str] = mapped_column(TERMS, default="")
    #: Terms of the description.
    body: Mapped[str] = mapped_column(TERMS, default="")
