"""Themes of offerings, each tied to the SDG targets it serves."""

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learning_platform.models.base import Base


class Theme(Base):
    __tablename__ = "theme"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ko: Mapped[str] = mapped_column(String(120))
    name_th: Mapped[str] = mapped_column(String(120), default="")
    #: Plain text, paragraphs separated by a blank line; shown on /themes and the theme page.
    description_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    description_ko: Mapped[str] = mapped_column(Text, default="", server_default="")
    description_th: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: SDG targets such as "4.7" or "13.3".
    sdg_targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    def name(self, language: str) -> str:
        """The name in `language`, falling back to English."""
        return getattr(self, f"name_{language}", "") or self.name_en

    def description(self, language: str) -> str:
        """The description in `language`, falling back to English."""
        return getattr(self, f"description_{language}", "") or self.description_en
