"""``escmon feed SOURCE...``: print the Article JSON lines a feed or file gives, without Kafka."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from escmon.models import utcnow
from producers.documents import DocumentResult, parse_document
from producers.feeds import FeedResult, parse_feed

MAX_BYTES = 5_000_000


def _read(source: str, timeout: float) -> tuple[bytes, str | None]:
    if source.startswith(("http://", "https://")):
        req = urllib.request.Request(source, headers={"User-Agent": "escalation-monitor/0.1"})  # noqa: S310
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            return resp.read(MAX_BYTES + 1), resp.headers.get("Content-Type")
    return Path(source).read_bytes(), None


def feed_command(
    sources: list[str],
    out: TextIO,
    err: TextIO,
    *,
    timeout: float = 20.0,
    now: Callable[[], datetime] = utcnow,
) -> int:
    """Print articles for each source; one clear line on ``err`` per failing source."""
    failed = 0
    for source in sources:
        try:
            data, content_type = _read(source, timeout)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            err.write(f"escmon feed: {source}: {getattr(exc, 'reason', None) or exc}\n")
            failed += 1
            continue
        if len(data) > MAX_BYTES:
            err.write(f"escmon feed: {source}: too large (> {MAX_BYTES} bytes)\n")
            failed += 1
            continue
        is_url = source.startswith(("http://", "https://"))
        result: FeedResult | DocumentResult
        if is_url or Path(source).suffix.lower() in {".xml", ".rss", ".atom"}:
            result = parse_feed(data, source=source, now=now(), content_type=content_type)
        else:
            result = parse_document(Path(source).name, data, source=source, now=now())
        if result.error:
            err.write(f"escmon feed: {source}: {result.error}\n")
            failed += 1
        for reject in result.rejects:
            err.write(f"escmon feed: {source}: entry skipped: {reject.reason}\n")
        for article in result.articles:
            out.write(article.to_bytes().decode() + "\n")
    return 1 if failed else 0
