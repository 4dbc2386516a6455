"""Calendars: iCalendar building (pure) and the feeds and downloads."""
