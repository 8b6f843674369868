"""Fetching feeds: conditional GET over aiohttp (or a local file), with a size cap.

feedparser only ever parses the bytes fetched here; its own HTTP code is not used.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import aiohttp

logger = logging.getLogger(__name__)

USER_AGENT = "escalation-monitor/0.1 (+https://github.com/escalation-monitor)"


@dataclass(frozen=True)
class FetchResult:
    """What one poll gave: new bytes, not modified, or an error reason."""

    status: str  # "ok", "not_modified", "unchanged" (same bytes as last time) or "error"
    data: bytes = b""
    content_type: str | None = None
    url: str = ""
    etag: str | None = None
    modified: str | None = None
    reason: str = ""
    http_status: int | None = None
    retry_after: float | None = None  # seconds the server asked us to wait (429/503)
    moved_to: str | None = None  # final URL after a permanent redirect (301/308)


async def fetch_http(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None,
    modified: str | None,
    timeout: float,
    max_bytes: int,
) -> FetchResult:
    """GET ``url`` with If-None-Match / If-Modified-Since; never raises for network trouble."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    try:
        async with session.get(
            url,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
            allow_redirects=True,
            max_redirects=5,
        ) as resp:
            if resp.status == 304:
                return FetchResult(
                    "not_modified", url=str(resp.url), etag=etag, modified=modified, http_status=304
                )
            if resp.status >= 400:
                return FetchResult(
                    "error",
                    url=str(resp.url),
                    reason=f"http_{resp.status}: {resp.reason or 'error'}",
                    http_status=resp.status,
                    retry_after=retry_after_seconds(resp.headers.get("Retry-After")),
                )
            moved = any(r.status in (301, 308) for r in resp.history)
            declared = resp.content_length
            if declared is not None and declared > max_bytes:
                return FetchResult(
                    "error", url=str(resp.url), reason=f"too_large: {declared} bytes declared"
                )
            data = await _read_capped(resp, max_bytes)
            if data is None:
                return FetchResult(
                    "error", url=str(resp.url), reason=f"too_large: more than {max_bytes} bytes"
                )
            return FetchResult(
                "ok",
                data=data,
                content_type=resp.headers.get("Content-Type"),
                url=str(resp.url),
                etag=resp.headers.get("ETag"),
                modified=resp.headers.get("Last-Modified"),
                http_status=resp.status,
                moved_to=str(resp.url) if moved else None,
            )
    except TimeoutError:
        return FetchResult("error", url=url, reason=f"timeout: no complete answer in {timeout:g} s")
    except aiohttp.TooManyRedirects:
        return FetchResult("error", url=url, reason="too_many_redirects: more than 5")
    except aiohttp.ClientConnectorDNSError as exc:
        return FetchResult("error", url=url, reason=f"dns: {_short(exc)}")
    except aiohttp.ClientConnectorError as exc:
        return FetchResult("error", url=url, reason=f"connect: {_short(exc)}")
    except aiohttp.ClientResponseError as exc:
        return FetchResult("error", url=url, reason=f"bad_response: {exc.status} {exc.message}")
    except (aiohttp.ClientError, asyncio.IncompleteReadError, OSError, ValueError) as exc:
        return FetchResult("error", url=url, reason=f"client_{type(exc).__name__}: {_short(exc)}")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header (seconds, or an HTTP date) as seconds from ``now``; junk gives None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def _read_capped(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes | None:
    """The (decompressed) body, or None once it grows past ``max_bytes`` (gzip bombs too)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(65536):
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:160] or type(exc).__name__


def fetch_file(path: str, *, modified: str | None, max_bytes: int) -> FetchResult:
    """Read a local feed file; its mtime plays the part of Last-Modified."""
    p = Path(path)
    try:
        stat = p.stat()
    except OSError:
        return FetchResult("error", url=path, reason="not_found: no such file")
    stamp = str(stat.st_mtime_ns)
    if modified == stamp:
        return FetchResult("not_modified", url=path, modified=stamp)
    if stat.st_size > max_bytes:
        return FetchResult("error", url=path, reason=f"too_large: {stat.st_size} bytes")
    try:
        data = p.read_bytes()
    except OSError as exc:
        return FetchResult("error", url=path, reason=f"unreadable: {exc.strerror or exc}")
    return FetchResult("ok", data=data, url=path, modified=stamp)
