"""One place that turns errors into pages: 404, 403, domain errors, and 500."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from meetup.core.errors import DomainError, LoginRequired
from meetup.logs import redact_path
from meetup.web.pages import PageMeta, render

logger = logging.getLogger("meetup")

TITLES = {
    400: "That did not work",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    409: "Already taken",
    429: "Slow down",
    500: "Something went wrong",
}


def error_page(request: Request, status: int, message: str) -> Response:
    title = TITLES.get(status, "That did not work")
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
            "There is nothing at this address. Check the link, or start from the home page."
        )
    )
    response = error_page(request, exc.status_code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
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
        "Sorry, this page failed on our side. Nothing you saved was lost; try again in a moment.",
    )


handlers = {
    HTTPException: http_error,
    DomainError: domain_error,
    LoginRequired: login_required,
    500: server_error,
}
