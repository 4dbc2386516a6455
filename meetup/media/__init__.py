"""Pictures: uploads re-encoded with Pillow, stored in the database, served
for good under their digest; social cards drawn for link previews."""
