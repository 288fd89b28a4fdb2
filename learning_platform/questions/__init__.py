"""Registration questions: what an organizer asks people who register, and their answers."""
