"""How the trail reads to people: action labels and sentences, field labels, shown values.

Entries keep raw values (JSON); they are put into words only here, in the reader's language.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from learning_platform.languages import BY_CODE, LANGUAGES
from learning_platform.models import AuditAction, AuditEvent
from learning_platform.offerings.services import HIDDEN_VALUE
from learning_platform.timezones import format_moment

A = AuditAction

#: The actions, grouped as the filter's select shows them.
GROUPS: list[tuple[object, list[tuple[AuditAction, object]]]] = [
    (
        _l("Offering changes"),  # not "Offerings": its Korean is the back office's word
        [
            (A.OFFERING_CREATED, _l("Offering created")),
            (A.OFFERING_EDITED, _l("Offering edited")),
            (A.OFFERING_PUBLISHED, _l("Offering published")),
            (A.OFFERING_CANCELLED, _l("Offering cancelled")),
            (A.OFFERING_UNPUBLISHED, _l("Offering unpublished")),
            (A.OFFERING_DELETED, _l("Draft deleted")),
            (A.OFFERING_DUPLICATED, _l("Offering duplicated")),
            (A.OFFERING_COVER_CHANGED, _l("Cover image changed")),
        ],
    ),
    (
        _l("Sessions"),
        [
            (A.SESSION_ADDED, _l("Session added")),
            (A.SESSION_CHANGED, _l("Session changed")),
            (A.SESSION_CANCELLED, _l("Session cancelled")),
            (A.SESSION_REMOVED, _l("Session removed")),
            (A.SESSIONS_IMPORTED, _l("Sessions imported")),
        ],
    ),
    (
        _l("Participants"),
        [
            (A.ATTENDANCE_MARKED, _l("Attendance marked")),
            (A.COMPLETION_RULE_CHANGED, _l("Completion rule changed")),
            (A.CERTIFICATES_ISSUED, _l("Certificates issued")),
            (A.CERTIFICATE_ISSUED, _l("Certificate issued by hand")),
            (A.CERTIFICATE_WITHHELD, _l("Certificate withheld")),
            (A.MESSAGE_SENT, _l("Message sent")),
            (A.QUESTION_ADDED, _l("Question added")),
            (A.QUESTION_CHANGED, _l("Question edited")),
            (A.QUESTION_REMOVED, _l("Question removed")),
            (A.QUESTION_MOVED, _l("Question moved")),
        ],
    ),
    (
        _l("Partners and organizers"),
        [
            (A.PARTNER_PROPOSED, _l("Partner proposed")),
            (A.PARTNER_CREATED, _l("Partner created")),
            (A.PARTNER_EDITED, _l("Partner edited")),
            (A.PARTNER_APPROVED, _l("Partner approved")),
            (A.PARTNER_HIDDEN, _l("Partner hidden")),
            (A.PARTNER_LOGO_CHANGED, _l("Logo changed")),
            (A.MEMBER_ADDED, _l("Organizer added")),
            (A.MEMBER_REMOVED, _l("Organizer removed")),
            (A.MEMBER_ROLE_CHANGED, _l("Role changed")),
        ],
    ),
    (
        _l("Site"),
        [
            (A.PAGE_EDITED, _l("Site page edited")),
            (A.ACCOUNT_DISABLED, _l("Account disabled")),
            (A.ACCOUNT_ENABLED, _l("Account enabled")),
            (A.CONFIRMATION_RESENT, _l("Confirmation resent")),
            (A.MAIL_RETRIED, _l("Mail retried")),
            (A.SETTING_CHANGED, _l("Setting changed")),
            (A.THEME_EDITED, _l("Theme edited")),
        ],
    ),
]
ACTION_LABELS = {action: label for _group, actions in GROUPS for action, label in actions}
#: Actions that concern a partner's own trail (the workspace's filter leaves out the site's).
PARTNER_GROUPS = GROUPS[:4]

#: One sentence per action; %(target)s is what was changed, by its name at the time.
_SENTENCES = {
    A.OFFERING_CREATED: _l("created the offering “%(target)s”"),
    A.OFFERING_EDITED: _l("edited the offering “%(target)s”"),
    A.OFFERING_PUBLISHED: _l("published the offering “%(target)s”"),
    A.OFFERING_CANCELLED: _l("cancelled the offering “%(target)s”"),
    A.OFFERING_UNPUBLISHED: _l("unpublished the offering “%(target)s”"),
    A.OFFERING_DELETED: _l("deleted the draft “%(target)s”"),
    A.OFFERING_DUPLICATED: _l("made “%(target)s” a new draft by duplicating it"),
    A.OFFERING_COVER_CHANGED: _l("changed the cover image of “%(target)s”"),
    A.SESSION_ADDED: _l("added the session %(target)s"),
    A.SESSION_CHANGED: _l("changed the session %(target)s"),
    A.SESSION_CANCELLED: _l("cancelled the session %(target)s"),
    A.SESSION_REMOVED: _l("removed the session %(target)s"),
    A.SESSIONS_IMPORTED: _l("imported sessions into “%(target)s”"),
    A.ATTENDANCE_MARKED: _l("marked attendance at the session %(target)s"),
    A.COMPLETION_RULE_CHANGED: _l("changed the completion rule of “%(target)s”"),
    A.CERTIFICATES_ISSUED: _l("issued certificates for “%(target)s”"),
    A.CERTIFICATE_ISSUED: _l("issued a certificate by hand: %(target)s"),
    A.CERTIFICATE_WITHHELD: _l("withheld a certificate: %(target)s"),
    A.MESSAGE_SENT: _l("sent the message “%(target)s”"),
    A.QUESTION_ADDED: _l("added the registration question “%(target)s”"),
    A.QUESTION_CHANGED: _l("edited the registration question “%(target)s”"),
    A.QUESTION_REMOVED: _l("removed the registration question “%(target)s”"),
    A.QUESTION_MOVED: _l("moved the registration question “%(target)s”"),
    A.PARTNER_PROPOSED: _l("proposed the partner %(target)s"),
    A.PARTNER_CREATED: _l("created the partner %(target)s"),
    A.PARTNER_EDITED: _l("edited the partner %(target)s"),
    A.PARTNER_APPROVED: _l("approved the partner %(target)s"),
    A.PARTNER_HIDDEN: _l("hid the partner %(target)s"),
    A.PARTNER_LOGO_CHANGED: _l("changed the logo of %(target)s"),
    A.MEMBER_ADDED: _l("added the organizer %(target)s"),
    A.MEMBER_REMOVED: _l("removed the organizer %(target)s"),
    A.MEMBER_ROLE_CHANGED: _l("changed the role of %(target)s"),
    A.PAGE_EDITED: _l("edited the site page %(target)s"),
    A.ACCOUNT_DISABLED: _l("disabled the account %(target)s"),
    A.ACCOUNT_ENABLED: _l("enabled the account %(target)s"),
    A.CONFIRMATION_RESENT: _l("resent the confirmation mail to %(target)s"),
    A.MAIL_RETRIED: _l("retried the mail %(target)s"),
    A.SETTING_CHANGED: _l("changed the setting %(target)s"),
    A.THEME_EDITED: _l("edited the theme %(target)s"),
}

FIELD_LABELS = {
    "kind": _l("Kind"),
    "title": _l("Title"),
    "primary_language": _l("Primary language"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "language": _l("Language"),
    "audience": _l("Audience"),
    "format": _l("Format"),
    "venue_name": _l("Venue"),
    "venue_address": _l("Address"),
    "online_link": _l("Online meeting link"),
    "timezone": _l("Time zone"),
    "cost_note": _l("Cost"),
    "contact_email": _l("Contact email"),
    "change_note": _l("Note on the change"),
    "reminder": _l("Reminder"),
    "registration_opens_at": _l("Registration opens"),
    "registration_closes_at": _l("Registration closes"),
    "capacity": _l("Capacity"),
    "themes": _l("Themes"),
    "cohosts": _l("Co-hosts"),
    "status": _l("Status"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "location": _l("Place"),
    "note": _l("Note"),
    "sessions": _l("Sessions"),
    "present": _l("Present"),
    "absent": _l("Absent"),
    "checked_in": _l("Checked in"),
    "text": _l("Question"),
    "choices": _l("Choices"),
    "required": _l("Required"),
    "position": _l("Position"),
    "subject": _l("Subject"),
    "recipients": _l("Recipients"),
    "role": _l("Role"),
    "slug": _l("Web name"),
    "name": _l("Name"),
    "website": _l("Website"),
    "city": _l("City"),
    "disabled_at": _l("Disabled on"),
    "disabled_reason": _l("Reason for disabling"),
    "unpublished_at": _l("Unpublished on"),
    "unpublished_reason": _l("Reason for unpublishing"),
    "approved": _l("Public"),
    "image": _l("Image"),
    "alt_ko": _l("Alt text (Korean)"),
    "alt_en": _l("Alt text (English)"),
    "alt_th": _l("Alt text (Thai)"),
    "body": _l("Text"),
    "version": _l("Version"),
}

#: Stored values that are words of the interface, not of the content.
_VALUE_LABELS = {
    ("status", "draft"): _l("Draft"),
    ("status", "published"): _l("Published"),
    ("status", "cancelled"): _l("Cancelled"),
    ("role", "organizer"): _l("Organizer"),
    ("role", "manager"): _l("Manager"),
    ("audience", "confirmed"): _l("Confirmed participants"),
    ("audience", "waitlisted"): _l("People on the waitlist"),
    ("audience", "both"): _l("Everyone registered"),
    ("audience", "session"): _l("Attendees of one session"),
}

_VALUE_LABELS.update({("primary_language", lang.code): lang.label for lang in LANGUAGES})

#: How long a value shown on the page may be (the entry keeps up to 300 characters).
SHOWN_CHARS = 120
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def action_label(event: AuditEvent) -> str:
    member = event.action_member
    return str(ACTION_LABELS[member]) if member in ACTION_LABELS else event.action


def field_label(field: str) -> str:
    """The field's name; a text in one language ("name.th") says which: "Name (Thai)"."""
    name, _dot, language = field.partition(".")
    if language in BY_CODE and name in FIELD_LABELS:
        return _(
            "%(field)s (%(language)s)", field=FIELD_LABELS[name], language=BY_CODE[language].label
        )
    return str(FIELD_LABELS.get(field, field))


def _moment(text: str, zone: str) -> str:
    return format_moment(datetime.fromisoformat(text), zone)


def shown_value(field: str, value, zone: str, *, shorten: bool = True) -> str:
    """A before or after value as the reader reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if value == HIDDEN_VALUE:
        return _("(set; not shown here)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        text = ", ".join(str(item) for item in value)
    elif isinstance(value, str) and _ISO_MOMENT.match(value):
        text = _moment(value, zone)
    elif (field, value) in _VALUE_LABELS:
        text = str(_VALUE_LABELS[(field, value)])
    else:
        text = str(value)
    if shorten and len(text) > SHOWN_CHARS:
        text = text[: SHOWN_CHARS - 1] + "…"
    return text


def target_text(event: AuditEvent, zone: str) -> str:
    """The target's name; a session as '12 Mar 2026, 10:00 (KST) of Climate Action'."""
    label = event.target_label
    if event.target_type == "session" and " · " in label:
        title, _sep, starts = label.rpartition(" · ")
        if _ISO_MOMENT.match(starts):
            return _("%(when)s of “%(title)s”", when=_moment(starts, zone), title=title)
    return label or "—"


def sentence(event: AuditEvent, zone: str) -> str:
    member = event.action_member
    if member not in _SENTENCES:
        return f"{event.action} {event.target_label}"
    return _SENTENCES[member] % {"target": target_text(event, zone)}
