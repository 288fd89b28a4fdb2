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


#: The languages a question is written in, each with its fields' labels.
QUESTION_LANGUAGES = {
    "ko": (_l("Question in Korean"), _l("Choices in Korean")),
    "en": (_l("Question in English"), _l("Choices in English")),
    "th": (_l("Question in Thai"), _l("Choices in Thai")),
}


class QuestionForm(Form):
    kind = SelectField(
        _l("Kind of answer"),
        choices=select_choices(KIND_LABELS.items()),
        validators=[DataRequired()],
    )
    text_ko = StringField(QUESTION_LANGUAGES["ko"][0], validators=[_max(MAX_QUESTION_TEXT)])
    text_en = StringField(QUESTION_LANGUAGES["en"][0], validators=[_max(MAX_QUESTION_TEXT)])
    text_th = StringField(QUESTION_LANGUAGES["th"][0], validators=[_max(MAX_QUESTION_TEXT)])
    choices_ko = TextAreaField(
        QUESTION_LANGUAGES["ko"][1],
        description=_l("One choice a line, for the two kinds with a list."),
    )
    choices_en = TextAreaField(
        QUESTION_LANGUAGES["en"][1],
        description=_l("One a line, in the same order in every language."),
    )
    choices_th = TextAreaField(
        QUESTION_LANGUAGES["th"][1],
        description=_l("One a line, in the same order in every language."),
    )
    required = BooleanField(_l("An answer is required"))

    def validate_text_ko(self, field) -> None:
        if not any(self[f"text_{code}"].data for code in QUESTION_LANGUAGES):
            raise ValidationError(_l("Write the question in at least one language."))

    def _lines(self, field) -> list[str]:
        return [line.strip() for line in (field.data or "").splitlines() if line.strip()]

    def _choice_lines(self) -> dict[str, list[str]]:
        """{language: choices} of the languages with choices."""
        lines = {code: self._lines(self[f"choices_{code}"]) for code in QUESTION_LANGUAGES}
        return {code: found for code, found in lines.items() if found}

    def validate_choices_ko(self, field) -> None:
        if self.kind.data not in CHOICE_KINDS:
            return
        lines = self._choice_lines()
        counts = {len(found) for found in lines.values()}
        count = max(counts, default=0)
        if count < 2:
            raise ValidationError(_l("Give at least two choices, one a line."))
        if count > MAX_CHOICES:
            raise ValidationError(_l("Give at most %(max)d choices.", max=MAX_CHOICES))
        if len(counts) > 1:
            raise ValidationError(
                _l("Give the same number of choices in each language, in the same order.")
            )
        every = [line for found in lines.values() for line in found]
        if any(len(line) > MAX_CHOICE_LABEL for line in every):
            raise ValidationError(
                _l("Keep each choice to %(max)d characters.", max=MAX_CHOICE_LABEL)
            )
        if any(len(set(found)) != len(found) for found in lines.values()):
            raise ValidationError(_l("Each choice must differ from the others."))

    def fill_from(self, question: Question) -> None:
        self.kind.data = question.kind.value
        self.required.data = question.required
        for code in QUESTION_LANGUAGES:
            self[f"text_{code}"].data = question.text.get(code, "")
            self[f"choices_{code}"].data = "\n".join(
                c["label"].get(code, "") for c in question.choices
            ).strip("\n")

    def question_data(self) -> QuestionData:
        lines = self._choice_lines()
        count = max((len(found) for found in lines.values()), default=0)
        choices = [{code: found[i] for code, found in lines.items()} for i in range(count)]
        return QuestionData(
            kind=QuestionKind(self.kind.data),
            required=self.required.data,
            text={
                code: self[f"text_{code}"].data
                for code in QUESTION_LANGUAGES
                if self[f"text_{code}"].data
            },
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
