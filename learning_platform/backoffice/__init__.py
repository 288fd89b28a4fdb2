"""The site admins' back office: people, offerings, the mail outbox."""
