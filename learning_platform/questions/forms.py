"""The organizer's question form, and the form a registering person answers."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from learning_platform.forms import Form, select_choices
from learning_platform.models import Question, QuestionKind
from learning_platform.models.question import (
    CHOICE_KINDS,
    MAX_ANSWER,
    MAX_CHOICE_LABEL,
    MAX_CHOICES,
    MAX_QUESTION_TEXT,
)
from learning_platform.offerings.forms import CheckboxesField
from learning_platform.questions.services import QuestionData

KIND_LABELS = {
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.SINGLE_CHOICE: _l("One choice from a list"),
    QuestionKind.MULTIPLE_CHOICE: _l("Several choices from a list"),
    QuestionKind.YES_NO: _l("Yes or no"),
}


def _max(length: int):
    return Length(max=length, message=_l("Use at most %(max)d characters.", max=length))


class QuestionForm(Form):
    kind = SelectField(
        _l("Kind of answer"),
        choices=select_choices(KIND_LABELS.items()),
        validators=[DataRequired()],
    )
    text_ko = StringField(_l("Question in Korean"), validators=[_max(MAX_QUESTION_TEXT)])
    text_en = StringField(_l("Question in English"), validators=[_max(MAX_QUESTION_TEXT)])
    choices_ko = TextAreaField(
        _l("Choices in Korean"),
        description=_l("One choice a line, for the two kinds with a list."),
    )
    choices_en = TextAreaField(
        _l("Choices in English"),
        description=_l("One a line, in the same order as the Korean ones."),
    )
    required = BooleanField(_l("An answer is required"))

    def validate_text_en(self, field) -> None:
        if not (self.text_ko.data or field.data):
            raise ValidationError(_l("Write the question in Korean, in English or in both."))

    def _lines(self, field) -> list[str]:
        return [line.strip() for line in (field.data or "").splitlines() if line.strip()]

    def validate_choices_ko(self, field) -> None:
        if self.kind.data not in CHOICE_KINDS:
            return
        korean, english = self._lines(field), self._lines(self.choices_en)
        count = max(len(korean), len(english))
        if count < 2:
            raise ValidationError(_l("Give at least two choices, one a line."))
        if count > MAX_CHOICES:
            raise ValidationError(_l("Give at most %(max)d choices.", max=MAX_CHOICES))
        if korean and english and len(korean) != len(english):
            raise ValidationError(
                _l("Give as many choices in Korean as in English, in the same order.")
            )
        if any(len(line) > MAX_CHOICE_LABEL for line in korean + english):
            raise ValidationError(
                _l("Keep each choice to %(max)d characters.", max=MAX_CHOICE_LABEL)
            )
        if len(set(korean)) != len(korean) or len(set(english)) != len(english):
            raise ValidationError(_l("Each choice must differ from the others."))

    def fill_from(self, question: Question) -> None:
        self.kind.data = question.kind.value
        self.required.data = question.required
        self.text_ko.data = question.text.get("ko", "")
        self.text_en.data = question.text.get("en", "")
        self.choices_ko.data = "\n".join(c["label"].get("ko", "") for c in question.choices)
        self.choices_en.data = "\n".join(c["label"].get("en", "") for c in question.choices)

    def question_data(self) -> QuestionData:
        korean, english = self._lines(self.choices_ko), self._lines(self.choices_en)
        count = max(len(korean), len(english))
        choices = [
            {
                "ko": korean[i] if i < len(korean) else "",
                "en": english[i] if i < len(english) else "",
            }
            for i in range(count)
        ]
        return QuestionData(
            kind=QuestionKind(self.kind.data),
            required=self.required.data,
            text={"ko": self.text_ko.data, "en": self.text_en.data},
            choices=choices,
        )


# Answering ----------------------------------------------------------------------------------

ANSWER_REQUIRED = _l("Please answer this question.")


class ChoiceField(RadioField):
    """One choice; no choice at all is left to the required/optional validators."""

    def pre_validate(self, form) -> None:
        if self.data not in (None, ""):
            super().pre_validate(form)


class ChoicesField(CheckboxesField):
    """Several choices, each offered once: a forged list of repeats or unknown keys is refused."""

    def pre_validate(self, form) -> None:
        if self.data and len(set(self.data)) != len(self.data):
            raise ValidationError(_l("Choose each option at most once."))
        super().pre_validate(form)


def _field(question: Question, language: str):
    label = question.label(language) + (" *" if question.required else "")
    needed = DataRequired(message=ANSWER_REQUIRED) if question.required else Optional()
    kind = question.kind
    if kind in MAX_ANSWER:
        field_class = StringField if kind == QuestionKind.SHORT_TEXT else TextAreaField
        return field_class(label, validators=[needed, _max(MAX_ANSWER[kind])])
    if kind == QuestionKind.YES_NO:
        choices = select_choices([("yes", _l("Yes")), ("no", _l("No"))])
        return ChoiceField(label, choices=choices, validators=[needed])
    choices = select_choices(question.choice_labels(language))
    if kind == QuestionKind.SINGLE_CHOICE:
        return ChoiceField(label, choices=choices, validators=[needed])
    return ChoicesField(label, choices=choices, validators=[needed])


def field_name(question: Question) -> str:
    return f"q{question.id}"


def answer_form(questions: list[Question], language: str, **kwargs) -> Form:
    """A form with one field per question, named after its id; other names sent are ignored."""

    class AnswerForm(Form):
        pass

    for question in questions:
        setattr(AnswerForm, field_name(question), _field(question, language))
    return AnswerForm(**kwargs)


def fill_answers(form: Form, questions: list[Question], answers: dict) -> None:
    """Show the answers given so far (choices by their key, where the choice still exists)."""
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        field = form[field_name(question)]
        value = answer.value
        # An answer given before the question changed kind is shown on the participants
        # page as given, but not put into a field of another kind.
        if question.kind in MAX_ANSWER and "text" in value:
            field.data = value["text"]
        elif question.kind == QuestionKind.YES_NO and "yes" in value:
            field.data = "yes" if value["yes"] else "no"
        elif question.kind in CHOICE_KINDS and value.get("choices"):
            keys = [choice["key"] for choice in value["choices"]]
            field.data = keys if question.kind == QuestionKind.MULTIPLE_CHOICE else keys[0]


def answer_values(form: Form, questions: list[Question]) -> dict[int, dict | None]:
    """What the form says to store for each question: None where it was left empty."""
    values: dict[int, dict | None] = {}
    for question in questions:
        data = form[field_name(question)].data
        if question.kind in MAX_ANSWER:
            values[question.id] = {"text": data.strip()} if data and data.strip() else None
        elif question.kind == QuestionKind.YES_NO:
            values[question.id] = {"yes": data == "yes"} if data else None
        else:
            keys = [data] if isinstance(data, str) else list(data or [])
            chosen = [dict(c) for c in question.choices if c["key"] in keys]
            values[question.id] = {"choices": chosen} if chosen else None
    return values
