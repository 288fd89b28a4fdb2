"""The audit trail's core: what `record`, `snapshot` and `diff` keep."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from learning_platform.audit.services import diff, record, snapshot
from learning_platform.extensions import db
from learning_platform.models import AuditAction, AuditEvent, Offering, OfferingStatus


def test_an_edit_keeps_the_before_and_after_of_the_fields_that_changed(
    app, organizer, make_offering
):
    person, partner = organizer
    offering_id = make_offering(partner, title="Old title", capacity=20).id
    with app.test_request_context():
        offering = db.session.get(Offering, offering_id)
        before = snapshot(offering, ["title", "capacity", "status", "themes"])
        offering.title = "New title"
        offering.capacity = 30
        offering.status = OfferingStatus.PUBLISHED
        changes = diff(before, snapshot(offering, ["title", "capacity", "status", "themes"]))
        record(
            AuditAction.OFFERING_EDITED,
            offering,
            changes=changes,
            actor=db.session.get(type(person), person.id),
        )
        db.session.commit()
        event = db.session.scalars(select(AuditEvent)).one()
    assert event.changes == {
        "title": ["Old title", "New title"],
        "capacity": [20, 30],
        "status": ["draft", "published"],
    }
    assert (event.action, event.target_type, event.target_id) == (
        "offering.edited",
        "offering",
        offering_id,
    )
    assert event.target_label == "New title"
    assert event.partner_id == partner.id and event.offering_id == offering_id
    assert (event.actor_id, event.actor_email) == (person.id, person.email)


def test_values_are_kept_as_json_and_long_texts_shortened():
    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    shown = diff({"at": None, "text": "a"}, {"at": when.isoformat(), "text": "x" * 1000})
    assert shown["at"] == [None, "2026-12-01T09:30:00+00:00"]
    assert len(snapshot(type("T", (), {"text": "x" * 1000})(), ["text"])["text"]) == 300


def test_only_known_actions_are_recorded(app):
    with app.app_context(), pytest.raises(TypeError):
        record("offering.edited", None)  # type: ignore[arg-type]
