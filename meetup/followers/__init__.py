"""Following a host by email: double opt-in from /@{handle}, attributed like
any guest; each new public event is mailed to followers once, as list mail
with one-click unsubscribe (RFC 8058)."""
