"""Who may use the workspace, and which offerings in it."""

from functools import wraps

from flask import abort, g
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from learning_platform.extensions import db
from learning_platform.models import Offering
from learning_platform.offerings import services


def organizer_required(view):
    """Members of a partner and admins; anyone else gets 403, anonymous people the login."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        g.partner_ids = services.member_partner_ids(current_user)
        if not g.partner_ids and not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def offering_in_workspace(offering_id: int, *, edit: bool) -> Offering:
    """The offering if this person may see it (404 otherwise); 403 for a co-host editing."""
    offering = db.get_or_404(
        Offering,
        offering_id,
        options=[selectinload(Offering.sessions), selectinload(Offering.cohosts)],
    )
    if not services.can_view(current_user, offering, g.partner_ids):
        abort(404)
    if edit and not services.can_edit(current_user, offering, g.partner_ids):
        abort(403)
    return offering
