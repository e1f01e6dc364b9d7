"""In-app notifications and the outgoing email outbox."""
