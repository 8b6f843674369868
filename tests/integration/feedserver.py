"""A local HTTP server playing news feeds for the producer tests (threads, stdlib only)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


class FeedServer:
    """Serves ``routes`` (path -> callable giving status, headers, body); counts the hits.

    Feeds answer conditional GETs with 304 when the client's If-None-Match matches.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[], tuple[int, dict[str, str], bytes]]] = {}
        self.hits: dict[str, int] = {}
        self.not_modified: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                path = self.path.split("?")[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                route = server.routes.get(path)
                if route is None:
                    self.send_error(404)
                    return
                status, headers, body = route()
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    server.not_modified[path] = server.not_modified.get(path, 0) + 1
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

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

    def status(self, path: str, code: int, location: str | None = None) -> str:
        """Answer ``path`` with ``code`` (and a Location for redirects)."""
        headers = {"Location": location} if location else {}
        self.routes[path] = lambda: (code, headers, b"")
        return self.base + path

    def slow(self, path: str, seconds: float, body: bytes) -> str:
        """Answer after ``seconds`` (longer than the producer's timeout)."""

        def route() -> tuple[int, dict[str, str], bytes]:
            time.sleep(seconds)
            return 200, {}, body

        self.routes[path] = route
        return self.base + path

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
