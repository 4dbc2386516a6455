"""Pictures in a submitted form: read within the size limit and prepared
off the event loop. Which paths take uploads, and how large their bodies may
be (the app gives these to `LimitBody`)."""

from __future__ import annotations

import re

import anyio.to_thread
from starlette.datastructures import FormData, UploadFile
from wtforms import Field

from meetup.core.i18n import gettext as _
from meetup.media.pictures import (
    MAX_BYTES,
    Picture,
    PictureRefused,
    Purpose,
    prepare,
    too_large,
)
from meetup.media.service import MAX_EVENT_PHOTOS

MB = 1024 * 1024
# Any one picture is at most 8 MB; a form with one picture may be 10 MB, and
# the recap form takes several photos at once.
UPLOAD_BODY_LIMITS = (
    (re.compile(r"/admin/(events/new|events/\d+/edit|profile)"), 10 * MB),
    (re.compile(r"/admin/events/\d+/photos"), 64 * MB),
)
ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


def chosen(form: FormData, name: str) -> list[UploadFile]:
    """The files picked in a file field (a field left empty sends none)."""
    return [
        value
        for value in form.getlist(name)
        if isinstance(value, UploadFile) and (value.filename or value.size)
    ]


async def picture(form: FormData, name: str, purpose: Purpose) -> Picture | None:
    """The picture chosen in field `name`, prepared; None when none was chosen.
    Raises PictureRefused with a message for the form."""
    try:
        files = chosen(form, name)
        return await _prepared(files[0], purpose) if files else None
    finally:
        await _close(form, name)


async def pictures(form: FormData, name: str, purpose: Purpose) -> list[Picture]:
    try:
        files = chosen(form, name)
        if len(files) > MAX_EVENT_PHOTOS:
            raise PictureRefused(
                _("Choose at most %(most)s photos at a time.")
                % {"most": MAX_EVENT_PHOTOS}
            )
        return [await _prepared(upload, purpose) for upload in files]
    finally:
        await _close(form, name)


async def _close(form: FormData, name: str) -> None:
    """Uploads wait in temporary files: closed once read (or left unread)."""
    for value in form.getlist(name):
        if isinstance(value, UploadFile):
            await value.close()


async def _prepared(upload: UploadFile, purpose: Purpose) -> Picture:
    try:
        if upload.size and upload.size > MAX_BYTES:
            raise too_large(upload.size)
        data = await upload.read(MAX_BYTES + 1)
        return await anyio.to_thread.run_sync(prepare, data, purpose)
    except PictureRefused as refused:
        if upload.filename:
            refused.message = _("%(file)s: %(problem)s") % {
                "file": upload.filename[:80],
                "problem": refused.message,
            }
        raise


async def field_picture(
    field: Field, form: FormData, purpose: Purpose
) -> Picture | None:
    """The picture chosen in a form's file field, or None: none chosen, or
    refused, with the reason added to the field's errors for the page."""
    try:
        return await picture(form, field.name, purpose)
    except PictureRefused as refused:
        field.errors = [*field.errors, refused.message]
        return None
