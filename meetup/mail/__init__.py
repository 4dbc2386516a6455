"""Mail: messages built from templates, the outbox, and the sender."""
