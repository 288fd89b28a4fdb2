"""The organizer workspace: offerings, their sessions and their life cycle."""
