"""Question and answer rules. Services flush but never commit; the view owns the transaction."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from learning_platform.audit.services import diff, record, snapshot
from learning_platform.boundary import DomainError, explain_constraint
from learning_platform.enrollment.services import ACTIVE, can_cancel
from learning_platform.extensions import db
from learning_platform.models import (
    Answer,
    AuditAction,
    Offering,
    Question,
    QuestionKind,
    Registration,
    utcnow,
)
from learning_platform.models.question import CHOICE_KINDS, MAX_QUESTIONS, Texts, text_in

# Two tabs saving the same person's answers at the same moment.
explain_constraint(
    "uq_answer_registration_id",
    _l("Your answers were saved from elsewhere at the same moment. Please check them again."),
)


def questions_of(offering_id: int, *, removed: bool = False) -> list[Question]:
    """The offering's questions in form order; with `removed`, those taken off the form too."""
    query = select(Question).where(Question.offering_id == offering_id)
    if not removed:
        query = query.where(Question.removed_at.is_(None))
    return list(db.session.scalars(query.order_by(Question.position, Question.id)))


@dataclass(frozen=True)
class QuestionData:
    kind: QuestionKind
    required: bool
    text: Texts
    #: Each choice's labels, per language, in order.
    choices: list[Texts]


def add_question(offering: Offering, data: QuestionData) -> Question:
    """:raise DomainError: the offering has as many questions as it may."""
    current = questions_of(offering.id)
    if len(current) >= MAX_QUESTIONS:
        raise DomainError(
            _l("An offering can ask at most %(max)d questions.", max=MAX_QUESTIONS), status=422
        )
    position = current[-1].position + 1 if current else 0
    question = Question(offering_id=offering.id, position=position)
    _fill(question, data)
    db.session.add(question)
    db.session.flush()
    _record(AuditAction.QUESTION_ADDED, question, diff({}, _state(question)))
    return question


def _record(action: AuditAction, question: Question, changes: dict) -> None:
    label = " / ".join(question.text.values()) if question.text else ""
    record(action, ("question", question.id, label), offering=question.offering, changes=changes)


def _state(question: Question) -> dict:
    state = snapshot(question, ("kind", "required", "position"))
    state["text"] = " / ".join(question.text.values()) if question.text else ""
    state["choices"] = [" / ".join(c["label"].values()) for c in question.choices or []]
    return state


def save_question(question: Question, data: QuestionData) -> None:
    before = _state(question)
    _fill(question, data)
    db.session.flush()
    changes = diff(before, _state(question))
    if changes:
        _record(AuditAction.QUESTION_CHANGED, question, changes)


def _fill(question: Question, data: QuestionData) -> None:
    question.kind = data.kind
    question.required = data.required
    question.text = {language: text for language, text in data.text.items() if text}
    question.choices = (
        _keyed(question.choices or [], data.choices) if data.kind in CHOICE_KINDS else []
    )


def _keyed(old: list[dict], labels: list[Texts]) -> list[dict]:
    """The new choices, each keeping the key of an old one with the same label in some
    language (a choice renamed in one language stays the same choice), else a new key."""
    free = list(old)
    used = [int(choice["key"]) for choice in old if choice["key"].isdigit()]
    next_key = max(used, default=0) + 1
    keyed = []
    for label in labels:
        label = {language: text for language, text in label.items() if text}
        match = next(
            (c for c in free if any(c["label"].get(k) == v for k, v in label.items())), None
        )
        if match is not None:
            free.remove(match)
            key = match["key"]
        else:
            key, next_key = str(next_key), next_key + 1
        keyed.append({"key": key, "label": label})
    return keyed


def remove_question(question: Question) -> None:
    """Off the form; the answers given stay readable until they are deleted with the rest."""
    question.removed_at = utcnow()
    db.session.flush()
    _record(AuditAction.QUESTION_REMOVED, question, {})


def move_question(question: Question, step: int) -> None:
    """Swap the question with its neighbour before (-1) or after (+1)."""
    current = questions_of(question.offering_id)
    index = current.index(question)
    other = index + step
    if not 0 <= other < len(current):
        return
    for position, item in enumerate(current):
        item.position = position
    current[index].position, current[other].position = other, index
    db.session.flush()
    _record(AuditAction.QUESTION_MOVED, question, {"position": [index + 1, other + 1]})


# Answers ------------------------------------------------------------------------------------


def answers_of(registration: Registration) -> dict[int, Answer]:
    return {
        answer.question_id: answer
        for answer in db.session.scalars(
            select(Answer).where(Answer.registration_id == registration.id)
        )
    }


def save_answers(
    registration: Registration, questions: list[Question], values: dict[int, dict | None]
) -> None:
    """Store the person's answer to each of `questions` (None: no answer), each with the
    question's text as it reads now. :raise DomainError: the first session has begun."""
    if registration.status not in ACTIVE or not can_cancel(registration.offering, utcnow()):
        raise DomainError(_l("The offering has started; answers can no longer be changed."))
    existing = answers_of(registration)
    now = utcnow()
    for question in questions:
        value, answer = values.get(question.id), existing.get(question.id)
        if value is None:
            if answer is not None:
                db.session.delete(answer)
        elif answer is None:
            db.session.add(
                Answer(
                    registration_id=registration.id,
                    question_id=question.id,
                    question_text=dict(question.text),
                    value=value,
                    answered_at=now,
                )
            )
        elif answer.value != value or answer.question_text != question.text:
            answer.value, answer.question_text, answer.answered_at = value, dict(question.text), now
    db.session.flush()


def answer_text(value: dict, language: str, primary: str | None = None) -> str:
    """An answer as a person reads it, in `language` where the labels have it, else in
    `primary` (the offering's primary language)."""
    if "text" in value:
        return value["text"]
    if "yes" in value:
        return gettext("Yes") if value["yes"] else gettext("No")
    return ", ".join(
        text_in(choice["label"], language, primary) for choice in value.get("choices", [])
    )


@dataclass(frozen=True)
class Cell:
    text: str
    #: What the question said when answered, when it says something else now.
    asked: str = ""


@dataclass(frozen=True)
class AnswerTable:
    """Columns: the questions on the form, then removed ones someone answered."""

    questions: list[Question]
    #: registration id -> question id -> cell
    cells: dict[int, dict[int, Cell]]

    def row(self, registration_id: int) -> list[Cell | None]:
        cells = self.cells.get(registration_id, {})
        return [cells.get(question.id) for question in self.questions]


def answer_table(offering: Offering, language: str) -> AnswerTable:
    """Every active registration's answers, in two queries whatever the numbers."""
    questions = questions_of(offering.id, removed=True)
    if not questions:
        return AnswerTable([], {})
    answers = db.session.scalars(
        select(Answer)
        .join(Registration, Answer.registration_id == Registration.id)
        .where(Registration.offering_id == offering.id, Registration.status.in_(ACTIVE))
    ).all()
    by_id = {question.id: question for question in questions}
    cells: dict[int, dict[int, Cell]] = {}
    for answer in answers:
        question = by_id[answer.question_id]
        then = text_in(answer.question_text, language, offering.primary_language)
        cells.setdefault(answer.registration_id, {})[answer.question_id] = Cell(
            answer_text(answer.value, language, offering.primary_language),
            then if then != question.label(language) else "",
        )
    answered = {question_id for row in cells.values() for question_id in row}
    shown = [q for q in questions if q.removed_at is None or q.id in answered]
    return AnswerTable(shown, cells)


def own_answers(registration: Registration, language: str) -> list[tuple[str, str]]:
    """(question, answer) for each question on the form, then removed ones answered."""
    questions = questions_of(registration.offering_id, removed=True)
    if not questions:
        return []
    answers = answers_of(registration)
    primary = registration.offering.primary_language
    rows = []
    for question in questions:
        answer = answers.get(question.id)
        if answer is not None:
            rows.append(
                (
                    text_in(answer.question_text, language, primary),
                    answer_text(answer.value, language, primary),
                )
            )
        elif question.removed_at is None:
            rows.append((question.label(language), ""))
    return rows


def question_count(offering_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Question.offering_id == offering_id, Question.removed_at.is_(None)
        )
    )


def delete_answers_of(person_id: int) -> None:
    """Erase everything the person answered (their account is being deleted)."""
    db.session.execute(
        delete(Answer)
        .where(
            Answer.registration_id.in_(
                select(Registration.id).where(Registration.person_id == person_id)
            )
        )
        .execution_options(synchronize_session=False)
    )


def can_edit_answers(offering: Offering, now: datetime) -> bool:
    """Answers can be changed until the first session starts, like the registration."""
    return can_cancel(offering, now)
