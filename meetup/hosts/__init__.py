"""Hosts: profiles, sign-in by emailed link, the public host page."""
