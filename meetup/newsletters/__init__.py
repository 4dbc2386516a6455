"""Newsletters: the host writes in Markdown, previews, sends a test to
themselves, then the worker mails each confirmed follower exactly once, at
the site's pace, links counted through a source made for that newsletter;
sent ones may show in an archive on the host's page."""
