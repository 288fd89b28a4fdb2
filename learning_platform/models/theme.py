"""Themes of offerings, each tied to the SDG targets it serves."""

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learning_platform.languages import CONTENT_LANGUAGES
from learning_platform.models.base import Base
from learning_platform.multilingual import pick


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

    #: The language a theme's texts fall back on (then any other language that has one).
    PRIMARY_LANGUAGE = "en"

    def texts(self, field: str) -> dict[str, str]:
        """{language: text} of "name" or "description" in each language that has one."""
        return {
            code: text for code in CONTENT_LANGUAGES if (text := getattr(self, f"{field}_{code}"))
        }

    def audit_value(self, field: str) -> str:
        """ "name.th" is `name_th` (the audit trail names texts by language)."""
        return getattr(self, field.replace(".", "_"))

    def name(self, language: str | None) -> str:
        """The name in `language`, else in English, else in any language (multilingual.pick)."""
        return pick(self.texts("name"), language, self.PRIMARY_LANGUAGE)[0]

    def description(self, language: str | None) -> str:
        """The description in `language`, else in English, else in any language."""
        return pick(self.texts("description"), language, self.PRIMARY_LANGUAGE)[0]
