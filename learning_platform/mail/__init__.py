"""Mail: building messages, the durable outbox and its sender."""
