"""A local HTTP server playing news sites for the full-text tests (threads, stdlib only).

It serves the real pages of ``../shared/corpora/html-news`` at their original URL paths (read in
place, never copied), plus whatever routes a test adds, and records every request: its path, when
it started and ended, and the User-Agent, so politeness can be checked afterwards.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

HTML_NEWS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "html-news"

Route = Callable[[], tuple[int, dict[str, str], bytes]]


@dataclass
class Hit:
    """One request: recorded when it arrives, ``ended`` set once its answer was written."""

    path: str
    started: float
    user_agent: str
    ended: float = float("inf")


def html_news_cases() -> dict[str, dict[str, object]]:
    """evaldata.json of the shared pages: URL -> {file, with, without}."""
    return json.loads((HTML_NEWS / "evaldata.json").read_text(encoding="utf-8"))


def url_path(url: str) -> str:
    """The path (and query) of a URL: where the page is served locally."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class PageServer:
    """Serves ``routes`` (path with query -> callable giving status, headers, body)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                hit = Hit(self.path, time.monotonic(), self.headers.get("User-Agent", ""))
                with server._lock:
                    server.hits.append(hit)
                route = server.routes.get(self.path)
                if route is None:
                    status, headers, body = 404, {"Content-Type": "text/html"}, b"<h1>404</h1>"
                else:
                    status, headers, body = route()
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    if "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeouts, size caps)
                hit.ended = time.monotonic()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def page(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> str:
        """Serve ``body`` at ``path``; return its URL."""
        self.routes[path] = lambda: (200, {"Content-Type": content_type}, body)
        return self.base + path

    def status(self, path: str, code: int, location: str | None = None) -> str:
        """Answer ``path`` with ``code`` (and a Location for redirects)."""
        headers = {"Location": location} if location else {}
        self.routes[path] = lambda: (code, headers, b"")
        return self.base + path

    def slow(self, path: str, seconds: float, body: bytes) -> str:
        """Answer ``path`` after ``seconds``."""

        def route() -> tuple[int, dict[str, str], bytes]:
            time.sleep(seconds)
            return 200, {"Content-Type": "text/html"}, body

        self.routes[path] = route
        return self.base + path

    def html_news(self) -> dict[str, str]:
        """Serve every shared news page at its URL path; return original URL -> local URL."""
        served = {}
        for url, case in html_news_cases().items():
            data = (HTML_NEWS / str(case["file"])).read_bytes()
            served[url] = self.page(url_path(url), data)
        return served

    def hits_of(self, path: str) -> list[Hit]:
        """The requests for ``path`` so far."""
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def __enter__(self) -> PageServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
