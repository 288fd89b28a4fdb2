"""Uploaded images: an offering's cover and a partner's logo, stored as files by content."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from learning_platform.models.base import Base, enum_type, in_list, utcnow


class ImageKind(enum.StrEnum):
    COVER = "cover"
    LOGO = "logo"


class Image(Base):
    """One uploaded picture, re-encoded: its files are `<key>-<size>.webp`, one per size."""

    __tablename__ = "image"
    __table_args__ = (
        CheckConstraint(in_list("kind", ImageKind), name="kind"),
        CheckConstraint("width > 0 AND height > 0", name="dimensions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImageKind] = mapped_column(enum_type(ImageKind))
    #: The hash of the stored files' content; files with it never change (cached for a year).
    key: Mapped[str] = mapped_column(String(64))
    #: The picture's size in pixels as uploaded (turned upright), before any resizing.
    width: Mapped[int]
    height: Mapped[int]
    #: The sizes stored: widths for covers, the side of the box it fits in for logos.
    sizes: Mapped[list[int]] = mapped_column(JSON, default=list)
    alt_ko: Mapped[str] = mapped_column(String(300))
    alt_en: Mapped[str] = mapped_column(String(300))
    alt_th: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def alt(self, language: str) -> str:
        """The text alternative in `language`, falling back to English."""
        return getattr(self, f"alt_{language}", "") or self.alt_en

    def dimensions(self, size: int) -> tuple[int, int]:
        """Width and height of the stored file of `size`."""
        if self.kind == ImageKind.LOGO:
            scale = min(1.0, size / max(self.width, self.height))
        else:
            scale = min(1.0, size / self.width)
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))

    def file_name(self, size: int) -> str:
        return f"{self.key}-{size}.webp"

    def __repr__(self) -> str:
        return f"<Image {self.id} {self.kind} {self.key[:8]}>"
