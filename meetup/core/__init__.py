"""What every other package may use and that uses nothing of the site's own:
the clock, coded domain errors, tokens, text rules and the supported dates."""
