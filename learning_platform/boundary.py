"""The one boundary every change goes through: a unit of work, and the one domain error.

Views never commit or roll back. They change data inside `unit_of_work()`, which commits on
success and rolls back on failure. A `DomainError` raised by a service, or a constraint the
database enforces (unique, check, foreign key) and a serialisation failure, become a message
next to the form field it concerns, a flashed message, or a 409/422 page: never a 500.

Rules that must hold under concurrency are enforced by the database and *reported* here, by
constraint name (the naming convention in models/base.py names every constraint); see
`explain_constraint`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import TracebackType

from flask import (
    current_app,
    flash,
    has_app_context,
    has_request_context,
    session,
)
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import DBAPIError, IntegrityError

from learning_platform.extensions import db


class DomainError(Exception):
    """A change the rules refuse. The message is for the person; `field` names the form field
    it belongs to; `status` is the page's status when there is no form to show it on."""

    def __init__(self, message, field: str | None = None, *, status: int = 422) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.status = status


# Constraint violations ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Explanation:
    message: object
    field: str | None


_EXPLANATIONS: dict[str, _Explanation] = {}

#: PostgreSQL SQLSTATEs of a transaction that lost a race and may simply be tried again.
_RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?:index '([^']+)'|(.+))")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\S+)")


def explain_constraint(name: str, message, field: str | None = None) -> None:
    """Say what the violation of constraint `name` means to a person, and which field it
    belongs to. Each domain declares its own, next to the rules they back."""
    _EXPLANATIONS[name] = _Explanation(message, field)


def constraint_name(error: DBAPIError) -> str | None:
    """The name of the constraint `error` violated, on PostgreSQL and on SQLite."""
    diag = getattr(error.orig, "diag", None)
    if diag is not None:  # psycopg names it
        return diag.constraint_name
    text = str(error.orig)
    check = _SQLITE_CHECK.search(text)
    if check:
        return check.group(1)
    unique = _SQLITE_UNIQUE.search(text)
    if unique:
        if unique.group(1):
            return unique.group(1)
        # SQLite names the columns ("partner.slug"), not the constraint: find it by them.
        return _unique_by_columns(unique.group(2))
    return None


def _unique_by_columns(columns_text: str) -> str | None:
    pairs = [part.strip().rsplit(".", 1) for part in columns_text.split(",")]
    tables = {table for table, _column in pairs}
    if len(tables) != 1:
        return None
    table = db.metadata.tables.get(tables.pop())
    if table is None:
        return None
    wanted = {column for _table, column in pairs}
    candidates = [c for c in table.constraints if hasattr(c, "columns")] + [
        index for index in table.indexes if index.unique
    ]
    for candidate in candidates:
        names = {column.name for column in candidate.columns}
        if names == wanted and candidate.name and not candidate.name.startswith("pk_"):
            return str(candidate.name)
    for column in table.columns:  # `unique=True` on a column
        if {column.name} == wanted and column.unique:
            return f"uq_{table.name}_{column.name}"
    return None


def domain_error_from(error: DBAPIError) -> DomainError | None:
    """The DomainError a database error means to a person; None when it means the database
    itself failed (that is a 503, not the person's doing)."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _RETRYABLE:
        return DomainError(
            _l(
                "Someone else changed this at the same moment. Nothing was saved; please try again."
            ),
            status=409,
        )
    if not isinstance(error, IntegrityError):
        return None
    name = constraint_name(error)
    explanation = _EXPLANATIONS.get(name or "")
    if explanation is None:
        # Most likely a bug (a NOT NULL or foreign key a service got wrong), not a race: the
        # person is told nothing was saved, the operator is shown what happened.
        if has_app_context():
            current_app.logger.warning(
                "Unexplained constraint violation (%s): %s", name, error.orig, exc_info=error
            )
        return DomainError(
            _l(
                "This change conflicts with one made at the same moment. Nothing was saved; please reload and try again."
            ),
            status=409,
        )
    return DomainError(explanation.message, explanation.field, status=409)


# The unit of work ---------------------------------------------------------------------------


class unit_of_work:  # noqa: N801 - used as a statement, like `with transaction():`
    """Commit the work done inside the block, or roll it back and report why.

    A DomainError or a constraint violation raised inside the block is reported (next to
    `form`'s field, in the form's own errors, or flashed) and swallowed, so the view goes on
    to render its form or redirect; `ok` tells which. Any other exception rolls back and
    propagates. A violation found only by the commit itself raises DomainError, which the
    error handler answers with a 409 page.
    """

    def __init__(self, form: FlaskForm | None = None) -> None:
        self.form = form
        self.error: DomainError | None = None
        self._flashes = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    def __enter__(self) -> unit_of_work:
        if has_request_context():
            self._flashes = len(session.get("_flashes", ()))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        _traceback: TracebackType | None,
    ) -> bool:
        if exc is None:
            try:
                db.session.commit()
            except DBAPIError as error:
                db.session.rollback()
                self._forget_flashes()
                domain = domain_error_from(error)
                if domain is None:
                    raise
                raise domain from error
            return False
        db.session.rollback()
        self._forget_flashes()
        if isinstance(exc, DBAPIError):
            domain = domain_error_from(exc)
            if domain is None:
                return False
        elif isinstance(exc, DomainError):
            domain = exc
        else:
            return False
        self.error = domain
        self._report(domain)
        return True

    def _forget_flashes(self) -> None:
        """What the block flashed ("saved!") is no longer true once it is rolled back."""
        if has_request_context() and len(session.get("_flashes", ())) > self._flashes:
            session["_flashes"] = session["_flashes"][: self._flashes]

    def _report(self, error: DomainError) -> None:
        field = getattr(self.form, error.field, None) if self.form and error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        elif self.form is not None:
            self.form.form_errors.append(error.message)
        elif has_request_context():
            flash(str(error.message), "error")
