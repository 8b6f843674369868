"""Feed bytes → Articles (pure). feedparser parses; it never fetches."""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from escmon.models import Article, stable_id


@dataclass
class Reject:
    """An entry that could not become an article."""

    reason: str
    payload: str


@dataclass
class FeedResult:
    """Articles, rejected entries, and a feed-level error."""

    articles: list[Article] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    error: str | None = None
    language: str | None = None


def _text(value: str) -> str:
    value = re.sub(r"<(script|style)\b.*?</\1>", " ", value, flags=re.I | re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", value))).strip()


def _date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


def parse_feed(
    data: bytes,
    *,
    source: str,
    now: datetime,
    content_type: str | None = None,
    base_url: str | None = None,
    max_entries: int = 1000,
) -> FeedResult:
    """Parse feed bytes; malformed input gives ``error``, never an exception."""
    headers = {"content-type": content_type} if content_type else None
    try:
        parsed = feedparser.parse(data, response_headers=headers)
    except Exception as exc:  # noqa: BLE001 - a parser surprise is bad input, not a crash
        return FeedResult(error=f"unparseable feed: {type(exc).__name__}")
    if not parsed.entries:
        if parsed.bozo:
            return FeedResult(error=f"malformed feed: {parsed.get('bozo_exception')}")
        if not parsed.feed:
            return FeedResult(error="not a feed")
    language = (parsed.feed.get("language") or "").split("-")[0].lower() or None
    result = FeedResult(language=language)
    for entry in parsed.entries[:max_entries]:
        title = _text(entry.get("title", ""))
        content = entry.get("content") or []
        body = _text(content[0].get("value", "") if content else entry.get("summary", ""))
        link = entry.get("link")
        if not title and not body:
            result.rejects.append(Reject("empty entry", str(dict(entry))[:2000]))
            continue
        ident = link or entry.get("id") or f"{source}\x1f{title}"
        result.articles.append(
            Article(
                id=stable_id(ident),
                source=source,
                title=title,
                body=body,
                url=link,
                published=_date(entry),
                fetched=now,
                language=language,
            )
        )
    return result
