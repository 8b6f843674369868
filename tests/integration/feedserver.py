"""A local HTTP server playing news feeds for the producer tests (threads, stdlib only)."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.integration.routeserver import RouteServer

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


class FeedServer(RouteServer):
    """Serves ``routes`` (path, query ignored -> callable giving status, headers, body); counts
    the hits.

    Feeds answer conditional GETs with 304 when the client's If-None-Match matches.
    """

    def __init__(self) -> None:
        super().__init__()
        self.hits: dict[str, int] = {}
        self.not_modified: dict[str, int] = {}

    def get(self, request: BaseHTTPRequestHandler) -> None:
        """Count the hit, then answer."""
        path = self.route_path(request.path)
        self.hits[path] = self.hits.get(path, 0) + 1
        super().get(request)

    def route_path(self, path: str) -> str:
        """Feeds are served whatever the query (cache-busting parameters)."""
        return path.split("?")[0]

    def answer(
        self, request: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        """304 when the client already holds this version (its ETag), else the answer."""
        etag = headers.get("ETag")
        if etag and request.headers.get("If-None-Match") == etag:
            path = self.route_path(request.path)
            self.not_modified[path] = self.not_modified.get(path, 0) + 1
            request.send_response(304)
            request.end_headers()
            return
        super().answer(request, status, headers, body)

    def feed(self, path: str, body: bytes | Callable[[], bytes], etag: bool = True) -> str:
        """Serve a feed document at ``path`` (a callable body may change between polls)."""

        def route() -> tuple[int, dict[str, str], bytes]:
            data = body() if callable(body) else body
            headers = {"Content-Type": "application/rss+xml"}
            if etag:
                headers["ETag"] = f'"{hash(data) & 0xFFFFFFFF:x}"'
            return 200, headers, data

        self.routes[path] = route
        return self.base + path
