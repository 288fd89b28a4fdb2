"""Organizers write to the participants of an offering."""
