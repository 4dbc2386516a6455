"""Insights: what the host's online work brought, counted from the data."""
