"""The callback form: reached or not, satisfaction, the plugin's survey, outcome, comment.

The survey's fields (``q_<code>``) are added per ticket from the plugins' questions. The
ranges are checked by :func:`server.followup.record.validate_answer`, so the form and a
hand-written post get the same messages next to the same fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField

from server.followup.outcomes import OUTCOMES, UNSATISFIED_CHOICES
from server.followup.record import CallbackAnswer
from server.forms import InputRequired, long_text, options, version_field
from server.i18n import _l
from server.plugin_api import SurveyQuestion
from server.templating import translate

SCALE = [("", "—"), *((str(n), str(n)) for n in range(1, 6))]
YES_NO = [("", "—"), ("yes", _l("Yes")), ("no", _l("No"))]


class SurveyAnswers:
    """What the agent's callback form and the customer's survey page share: the survey's
    ``q_<code>`` fields, reading their answers and placing the service's errors."""

    def survey_fields(self) -> list[Any]:
        return [field for name, field in self._fields.items() if name.startswith("q_")]  # type: ignore[attr-defined]

    def survey_answers(self, questions: Iterable[SurveyQuestion]) -> dict[str, Any]:
        """The answered questions by code (unparseable values passed as given)."""
        answers: dict[str, Any] = {}
        for question in questions:
            raw = (self[f"q_{question.code}"].data or "").strip()  # type: ignore[index]
            if raw:
                answers[question.code] = _parse(question.kind, raw)
        return answers

    def attach(self, errors: dict[str, list[str]]) -> None:
        """The service's errors next to their fields (unknown names above the form)."""
        for name, messages in errors.items():
            field = self._fields.get(name)  # type: ignore[attr-defined]
            if field is None or name == "csrf_token":
                self.form_errors.extend(messages)  # type: ignore[attr-defined]
            else:
                field.errors = [*field.errors, *messages]


class CallbackForm(SurveyAnswers, FlaskForm):
    """One attempt; the ticket's version guards against recording on a changed ticket."""

    reached = RadioField(
        _l("Customer reached"),
        choices=options([("yes", _l("Yes, reached")), ("no", _l("No answer / not reached"))]),
        validators=[InputRequired(message=_l("Say whether the customer was reached."))],
    )
    satisfaction = RadioField(
        _l("Satisfaction (1–5)"),
        choices=options((str(n), str(n)) for n in range(1, 6)),
        validate_choice=False,
        description=_l("5 = very satisfied. Required when the customer was reached."),
    )
    outcome = SelectField(_l("Outcome"), choices=[], default="", validate_choice=False)
    comment = long_text(_l("Comment"), 2000)
    version = version_field()

    def set_outcome_choices(self) -> None:
        self.outcome.choices = options(
            [("", _l("By satisfaction"))]
            + [(key, translate(OUTCOMES[key])) for key in ("satisfied", *UNSATISFIED_CHOICES)]
        )

    def answer(self, questions: Iterable[SurveyQuestion]) -> CallbackAnswer:
        """The submitted values for the service layer (unparseable ones passed as given)."""
        reached = self.reached.data == "yes"
        answers = self.survey_answers(questions)
        return CallbackAnswer(
            reached=reached,
            satisfaction=_integer(self.satisfaction.data) if reached else None,
            answers=answers if reached else {},
            comment=self.comment.data or "",
            outcome=(self.outcome.data or None) if reached else None,
        )


class CustomerSurveyForm(SurveyAnswers, FlaskForm):
    """The survey the customer answers through an emailed link: reached by definition,
    the outcome follows from the satisfaction."""

    satisfaction = RadioField(
        _l("How satisfied are you with the service? (1–5)"),
        choices=options((str(n), str(n)) for n in range(1, 6)),
        validate_choice=False,
        description=_l("5 = very satisfied, 1 = very unsatisfied."),
    )
    comment = long_text(_l("Anything you would like to tell us"), 2000)

    def answer(self, questions: Iterable[SurveyQuestion]) -> CallbackAnswer:
        """The customer's answers for :func:`server.followup.record.record_callback`."""
        return CallbackAnswer(
            reached=True,
            satisfaction=_integer(self.satisfaction.data),
            answers=self.survey_answers(questions),
            comment=self.comment.data or "",
        )


def callback_form_class(questions: Iterable[SurveyQuestion]) -> type[CallbackForm]:
    """A form class with one select per survey question (``q_<code>``)."""
    return with_survey_fields(CallbackForm, questions)


def with_survey_fields(base: type, questions: Iterable[SurveyQuestion]) -> type:
    """A subclass of ``base`` with one select per survey question (``q_<code>``)."""
    attrs: dict[str, Any] = {}
    for question in questions:
        choices = SCALE if question.kind == "scale" else YES_NO
        attrs[f"q_{question.code}"] = SelectField(
            translate(question.label), choices=options(choices), default="", validate_choice=False
        )
    return type(f"{base.__name__}WithSurvey", (base,), attrs)


def _parse(kind: str, raw: str) -> Any:
    if kind == "yes_no":
        return {"yes": True, "no": False}.get(raw, raw)
    return _integer(raw)


def _integer(raw: Any) -> Any:
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return raw
