"""Impact: what the partners' offerings achieved, in figures for partners, admins and everyone.

One set of counting rules, used by the partner dashboard (`figures.partner_figures`), the
alliance report and the public /impact page (`alliance.figures`) and the aggregate open data
(`opendata`). `figures` holds the shared parts: date ranges of calendar days [start, end) in
the site zone (SITE_TIMEZONE) and their weeks or months, durations computed in SQL
(`hours_expr`), and `forms.RangeForm` the presets and the range checks with their messages.

Only offerings of approved partners count, never drafts. Over a range:

- Offerings: published offerings with a session (in any status) starting in the range.
  Cancelled offerings with such a session are counted apart, as "cancelled", and nowhere else
  (not in sessions, hours, breakdowns or the co-hosted share): they did not take place.
  Co-hosted: an offering with at least one co-host.
- Sessions and hours offered: scheduled sessions of those published offerings starting in the
  range, and the sum of their durations.
- Registrations: registration rows created in the range, for a published or cancelled offering,
  by their status now (deleted accounts' rows stay, anonymised, and count).
- Learners: distinct people with a confirmed registration for an offering in range.
- Attendance rate: present marks / all marks at the sessions above; sessions without a mark
  do not count ("attendance taken at N of M past sessions": a session is past once it started).
- Learning hours delivered: each present mark adds its session's duration.
- By theme and SDG: an offering with two themes counts in both, and once for each goal.
- Partner's own figures (dashboard) count its offerings and those it co-hosts; the alliance
  counts every offering once, under the partner that owns it, and shows the co-hosted share.

`RULES_SENTENCE` says this to people in one sentence, on every page that shows the figures.
"""

from flask_babel import lazy_gettext as _l

RULES_SENTENCE = _l(
    "Offerings count when one of their sessions starts in the range (cancelled ones apart); "
    "registrations when they were made in it; hours and attendance come from the sessions held "
    "in it."
)
