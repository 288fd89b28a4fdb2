"""The audit trail: record every change an organizer or a site admin makes; read it back.

Services call `record()` inside the unit of work that makes the change, so the entry and the
change commit together or not at all. For edits, take a `snapshot()` of the fields before
changing them and pass `diff(before, snapshot(...))` as the changes.
"""
