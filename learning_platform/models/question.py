"""Questions an organizer asks when people register, and their answers."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning_platform.models.base import Base, enum_type, in_list, utcnow
from learning_platform.models.offering import Offering, Registration
from learning_platform.multilingual import pick

#: Text in several languages: {"ko": "...", "en": "...", "th": "..."}; a language not
#: written is absent.
Texts = dict[str, str]


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})
MAX_QUESTIONS = 20
MAX_CHOICES = 20
MAX_QUESTION_TEXT = 300
MAX_CHOICE_LABEL = 100
#: The longest answer of each text kind, in characters.
MAX_ANSWER = {QuestionKind.SHORT_TEXT: 200, QuestionKind.LONG_TEXT: 2000}


def text_in(texts: Texts, language: str | None, primary: str | None = None) -> str:
    """`texts` in `language`, else in `primary` (the offering's), else in any it has."""
    return shown_in(texts, language, primary)[0]


def shown_in(texts: Texts, language: str | None, primary: str | None = None) -> tuple[str, str]:
    """(text, its language) of `texts` for `language`: the rule of multilingual.pick."""
    texts = texts or {}
    return pick(texts, language, primary or next(iter(texts), "ko"))


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (
        CheckConstraint(in_list("kind", QuestionKind), name="kind"),
        Index(None, "offering_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(ForeignKey("offering.id", ondelete="CASCADE"))
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind))
    required: Mapped[bool] = mapped_column(default=False)
    #: Where it comes on the form: smaller first.
    position: Mapped[int] = mapped_column(default=0)
    #: The question, per language.
    text: Mapped[Texts] = mapped_column(JSON)
    #: Single and multiple choice: [{"key": "1", "label": {"ko": ..., "en": ...}}, ...].
    choices: Mapped[list[dict]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Removed by the organizer: off the form, but kept while answers to it are.
    removed_at: Mapped[datetime | None]

    offering: Mapped[Offering] = relationship()

    def label(self, language: str) -> str:
        return text_in(self.text, language, self.offering.primary_language)

    def label_language(self, language: str) -> str:
        """The language `label(language)` is written in (for a `lang` attribute)."""
        return shown_in(self.text, language, self.offering.primary_language)[1]

    def choice_labels(self, language: str) -> list[tuple[str, str]]:
        primary = self.offering.primary_language
        return [
            (choice["key"], text_in(choice["label"], language, primary)) for choice in self.choices
        ]


class Answer(Base):
    """One person's answer to one question, with what the question said when they answered,
    so that renaming or removing the question or a choice later keeps it readable."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("registration_id", "question_id"),
        Index(None, "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    #: The question's text when answered.
    question_text: Mapped[Texts] = mapped_column(JSON)
    #: Text kinds: {"text": "..."}; choices: {"choices": [label texts, ...]}; yes/no: {"yes": bool}.
    value: Mapped[dict] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship()
    question: Mapped[Question] = relationship()
