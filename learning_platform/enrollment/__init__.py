"""Enrollment: register, cancel, the waitlist, attendee lists and attendance."""
