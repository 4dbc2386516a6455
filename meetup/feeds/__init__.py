"""Calendar feeds and downloads over HTTP: what each feed holds (events,
answers, chats), the version-checked cache, and the routes."""
