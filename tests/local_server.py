"""A real HTTP server on 127.0.0.1 for the tests of requests meetup makes to
other servers (hosts' calendars, webhook endpoints): each path answers what
the test sets, and every request it receives is kept."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    routes: dict[str, Reply | Callable[[Received], Reply]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    port: int = 0
    # Bodies sent without Content-Length, the connection closed at their end.
    unsized: set[str] = field(default_factory=set)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def reply(self, request: Received) -> Reply:
        route = self.routes.get(request.path)
        if route is None:
            return 404, {}, b"not here"
        return route(request) if callable(route) else route


def _handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received = Received(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            server.received.append(received)
            status, headers, body = server.reply(received)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if self.path in server.unsized:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    # Room for many connections at once (the default of 5 makes the rest
    # wait for a SYN retry, a second later), and quiet about clients that
    # gave up (a timed-out request's answer has nowhere to go).
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    state = LocalServer()
    httpd = _Server(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
