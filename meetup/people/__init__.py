"""People: one row per email address (the identity behind every answer,
booking and follow), their private feed link, and "forget me"."""
