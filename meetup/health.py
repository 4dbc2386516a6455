"""/healthz: the process answers and the database does a round-trip."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

logger = logging.getLogger("meetup")


async def healthz(request: Request) -> JSONResponse:
    try:
        await request.app.state.db.ping()
    except Exception as error:
        logger.warning("health check: database unreachable: %s", error)
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable"}, status_code=503
        )
    return JSONResponse({"status": "ok", "database": "ok"})


routes = [Route("/healthz", healthz, name="healthz")]
