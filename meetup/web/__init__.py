"""What every feature's routes share: templates, CSRF, sign-in, error pages."""
