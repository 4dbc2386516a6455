"""A host's public page, /@{handle}: what every feature offers there."""
