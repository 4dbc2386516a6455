"""Events: the host's event editor and the public event pages."""
