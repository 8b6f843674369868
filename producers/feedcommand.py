"""``escmon feed SOURCE...``: print the Article JSON lines a feed or file gives, without Kafka.

The same fetcher and parsers as the producer, so what this prints is what the producer would
publish. Each failing source gives one line on stderr (``escmon feed: SOURCE: reason``) and the
others go on; nothing here ends in a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

import aiohttp

from escmon.models import utcnow
from producers.documents import FEED_SUFFIXES, SUFFIXES, DocumentResult, parse_document
from producers.feeds import FeedResult, parse_feed
from producers.fetch import FetchResult, fetch_http

MAX_BYTES = 5_000_000


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


async def _fetch_all(urls: list[str], timeout: float, max_bytes: int) -> dict[str, FetchResult]:
    async with aiohttp.ClientSession() as session:
        results = await asyncio.gather(
            *(
                fetch_http(
                    session, url, etag=None, modified=None, timeout=timeout, max_bytes=max_bytes
                )
                for url in urls
            )
        )
    return dict(zip(urls, results, strict=True))


def _read_file(source: str, max_bytes: int) -> bytes | str:
    """The file's bytes, or why it cannot be read."""
    path = Path(source)
    try:
        if not path.is_file():
            return "not a file" if path.exists() else "no such file"
        size = path.stat().st_size
        if size > max_bytes:
            return f"too_large: {size} bytes > {max_bytes}"
        return path.read_bytes()
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"


def parse_source(
    source: str, data: bytes, *, now: datetime, content_type: str | None = None
) -> FeedResult | DocumentResult:
    """Parse what a source gave: URLs, feed suffixes and unknown suffixes as feeds, else files."""
    suffix = Path(source).suffix.lower()
    if _is_url(source) or suffix in FEED_SUFFIXES or suffix not in SUFFIXES:
        return parse_feed(data, source=source, now=now, content_type=content_type, base_url=source)
    return parse_document(Path(source).name, data, source=source, now=now, max_bytes=MAX_BYTES)


def feed_command(
    sources: list[str],
    out: TextIO,
    err: TextIO,
    *,
    timeout: float = 20.0,
    now: Callable[[], datetime] = utcnow,
    max_bytes: int = MAX_BYTES,
) -> int:
    """Print articles for each source; one clear line on ``err`` per failing source.

    Returns 0 when every source gave its articles (or a well-formed empty feed), 1 otherwise.
    """
    failed = 0
    urls = [s for s in sources if _is_url(s)]
    try:
        fetched = asyncio.run(_fetch_all(urls, timeout, max_bytes)) if urls else {}
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        fetched = {u: FetchResult("error", reason=f"fetch failed: {exc!r}") for u in urls}
    for source in sources:
        try:
            failed += _one(source, fetched.get(source), out, err, now=now, max_bytes=max_bytes)
        except Exception as exc:  # noqa: BLE001 - a bug must still give one line, not a trace
            err.write(f"escmon feed: {source}: internal error: {type(exc).__name__}: {exc}\n")
            failed += 1
    return 1 if failed else 0


def _one(
    source: str,
    fetched: FetchResult | None,
    out: TextIO,
    err: TextIO,
    *,
    now: Callable[[], datetime],
    max_bytes: int,
) -> int:
    content_type = None
    if fetched is not None:
        if fetched.status != "ok":
            err.write(f"escmon feed: {source}: {fetched.reason or fetched.status}\n")
            return 1
        data: bytes | str = fetched.data
        content_type = fetched.content_type
    else:
        data = _read_file(source, max_bytes)
    if isinstance(data, str):
        err.write(f"escmon feed: {source}: {data}\n")
        return 1
    result = parse_source(source, data, now=now(), content_type=content_type)
    if result.error:
        err.write(f"escmon feed: {source}: {result.error}\n")
    if result.warning:
        err.write(f"escmon feed: {source}: warning: {result.warning}\n")
    for reject in result.rejects:
        err.write(f"escmon feed: {source}: entry skipped: {reject.reason}\n")
    for article in result.articles:
        out.write(article.to_bytes().decode() + "\n")
    return 1 if result.error else 0
