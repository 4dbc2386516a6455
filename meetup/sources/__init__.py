"""Attribution: sources (posts, conversations), tracked links, and which source brought each guest."""
