"""A local HTTP server playing news sites for the full-text tests (threads, stdlib only).

It serves the real pages of ``../shared/corpora/html-news`` at their original URL paths (read in
place, never copied), plus whatever routes a test adds, and records every request: its path, when
it started and ended, and the User-Agent, so politeness can be checked afterwards.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

from tests.integration.routeserver import RouteServer

HTML_NEWS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "html-news"


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


class PageServer(RouteServer):
    """Serves ``routes`` (path with query -> callable giving status, headers, body); records
    every request (:class:`Hit`)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.hits: list[Hit] = []
        self._lock = threading.Lock()

    def get(self, request: BaseHTTPRequestHandler) -> None:
        """Record the request, answer it, note when the answer was written."""
        hit = Hit(request.path, time.monotonic(), request.headers.get("User-Agent", ""))
        with self._lock:
            self.hits.append(hit)
        super().get(request)
        hit.ended = time.monotonic()

    def not_found(self, request: BaseHTTPRequestHandler) -> None:
        """A site's 404: a small HTML page."""
        self.answer(request, 404, {"Content-Type": "text/html"}, b"<h1>404</h1>")

    def page(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> str:
        """Serve ``body`` at ``path``; return its URL."""
        self.routes[path] = lambda: (200, {"Content-Type": content_type}, body)
        return self.base + path

    def slow(
        self, path: str, seconds: float, body: bytes, headers: dict[str, str] | None = None
    ) -> str:
        """Answer ``path`` with an HTML ``body`` after ``seconds``; return its URL."""
        return super().slow(path, seconds, body, headers or {"Content-Type": "text/html"})

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
