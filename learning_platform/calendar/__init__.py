"""iCalendar: building calendars from rows (pure functions) and the feed routes."""
