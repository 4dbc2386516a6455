"""What every feature's routes share: templates, CSRF, sign-in, error pages."""

from meetup.web import convertors  # noqa: F401,E402 (registers the {name:id} convertor)
