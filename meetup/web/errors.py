"""One place that turns errors into pages: 404, 403, domain errors, and 500."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)

from meetup.core.errors import DomainError, Invalid, LoginRequired
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.logs import redact_path
from meetup.web.pages import PageMeta, render
from meetup.web.urls import API_PREFIX

logger = logging.getLogger("meetup")

TITLES = {
    400: lazy_gettext("That did not work"),
    403: lazy_gettext("Not allowed"),
    404: lazy_gettext("Page not found"),
    405: lazy_gettext("Not allowed"),
    409: lazy_gettext("Already taken"),
    429: lazy_gettext("Slow down"),
    500: lazy_gettext("Something went wrong"),
}


CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}


def json_error(
    status: int,
    message: str,
    code: str = "",
    fields: dict[str, list[str]] | None = None,
) -> JSONResponse:
    """`{"error": {"status", "code", "message"[, "fields"]}}`."""
    error: dict[str, object] = {
        "status": status,
        "code": code or CODES.get(status, "error"),
        "message": message,
    }
    if fields:
        error["fields"] = fields
    headers = {"WWW-Authenticate": 'Bearer realm="meetup"'} if status == 401 else None
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def _for_a_program(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def error_page(request: Request, status: int, message: str) -> Response:
    if _for_a_program(request):
        return json_error(status, message)
    title = str(TITLES.get(status) or _("That did not work"))
    context = {
        "status": status,
        "message": message,
        "meta": PageMeta(title=title, noindex=True),
    }
    template = "errors/404.html" if status == 404 else "errors/error.html"
    try:
        return render(request, template, context, status=status)
    except Exception:  # never fail while reporting a failure
        logger.exception("error page could not be rendered")
        return PlainTextResponse(f"{title}: {message}", status_code=status)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    message = (
        exc.detail
        if exc.detail and exc.status_code != 404
        else (
            "There is nothing at this address."
            if _for_a_program(request)
            else _(
                "There is nothing at this address. Check the link, or start from the home page."
            )
        )
    )
    response = error_page(request, exc.status_code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if _for_a_program(request):
        fields = exc.fields if isinstance(exc, Invalid) else None
        return json_error(exc.status, exc.message, exc.code, fields)
    return error_page(request, exc.status, exc.message)


async def login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse(request.url_for("login"), status_code=303)


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception(
        "unhandled error on %s %s",
        request.method,
        redact_path(request.url.path),
        exc_info=exc,
    )
    return error_page(
        request,
        500,
        _(
            "Sorry, this page failed on our side. Nothing you saved was lost; try again in a moment."
        ),
    )


handlers = {
    HTTPException: http_error,
    DomainError: domain_error,
    LoginRequired: login_required,
    500: server_error,
}
