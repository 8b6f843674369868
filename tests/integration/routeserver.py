"""A local threaded HTTP server answering GETs from routes (stdlib only), for the test servers
that play feeds (:mod:`feedserver`) and news sites (:mod:`pageserver`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

Route = Callable[[], tuple[int, dict[str, str], bytes]]


class RouteServer:
    """Serves ``routes`` (path -> callable giving status, headers, body) on a free port of
    ``host``; a ``with`` block runs it in a daemon thread.

    Subclasses hook in where their servers differ: :meth:`get` (record the request),
    :meth:`route_path` (which part of the path names a route), :meth:`not_found` and
    :meth:`answer` (conditional GETs).
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.get(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def get(self, request: BaseHTTPRequestHandler) -> None:
        """Answer one GET from its route, or as :meth:`not_found`."""
        route = self.routes.get(self.route_path(request.path))
        if route is None:
            self.not_found(request)
            return
        self.answer(request, *route())

    def route_path(self, path: str) -> str:
        """The route a request path asks for: the path with its query."""
        return path

    def not_found(self, request: BaseHTTPRequestHandler) -> None:
        """No route: http.server's own 404 page."""
        request.send_error(404)

    def answer(
        self, request: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        """Send a route's answer, with a Content-Length unless the route gave one."""
        try:
            request.send_response(status)
            for key, value in headers.items():
                request.send_header(key, value)
            if "Content-Length" not in headers:
                request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size caps)

    def status(self, path: str, code: int, location: str | None = None) -> str:
        """Answer ``path`` with ``code`` (and a Location for redirects); return its URL."""
        headers = {"Location": location} if location else {}
        self.routes[path] = lambda: (code, headers, b"")
        return self.base + path

    def slow(
        self, path: str, seconds: float, body: bytes, headers: dict[str, str] | None = None
    ) -> str:
        """Answer ``path`` with ``body`` after ``seconds``; return its URL."""

        def route() -> tuple[int, dict[str, str], bytes]:
            time.sleep(seconds)
            return 200, dict(headers or {}), body

        self.routes[path] = route
        return self.base + path

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
