"""Dropped files → Articles (pure): .txt/.md, .html, .json/.jsonl, feed .xml."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from escmon.models import Article, stable_id

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}


@dataclass
class Reject:
    """An entry that could not become an article."""

    reason: str
    payload: str


@dataclass
class DocumentResult:
    """Articles, rejected entries, and a file-level error."""

    articles: list[Article] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    error: str | None = None


def _decode(data: bytes) -> str | None:
    if b"\x00" in data[:4096]:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _text_article(name: str, text: str, source: str, now: datetime) -> Article | None:
    lines = [ln.strip() for ln in text.strip().splitlines()]
    if not lines or not lines[0]:
        return None
    title = re.sub(r"^#+\s*", "", lines[0])
    body = "\n".join(lines[1:]).strip()
    return Article(id=stable_id(name, title), source=source, title=title, body=body, fetched=now)


def parse_document(
    name: str, data: bytes, *, source: str, now: datetime, max_bytes: int = 5_000_000
) -> DocumentResult:
    """Turn one file's bytes into articles; never raises."""
    if len(data) > max_bytes:
        return DocumentResult(error=f"file too large ({len(data)} bytes > {max_bytes})")
    suffix = PurePath(name).suffix.lower()
    if suffix in FEED_SUFFIXES:
        from producers.feeds import parse_feed

        feed = parse_feed(data, source=source, now=now)
        return DocumentResult(
            feed.articles, [Reject(r.reason, r.payload) for r in feed.rejects], feed.error
        )
    text = _decode(data)
    if text is None:
        return DocumentResult(error="binary file: not text in UTF-8 or cp1252")
    if suffix in TEXT_SUFFIXES:
        article = _text_article(name, text, source, now)
        return DocumentResult([article] if article else [], error=None if article else "empty file")
    if suffix in HTML_SUFFIXES:
        found = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.I | re.S)
        body = html.unescape(re.sub(r"<[^>]+>", "\n", body))
        title = html.unescape(found.group(1)).strip() if found else ""
        article = _text_article(name, f"{title}\n{body}" if title else body, source, now)
        return DocumentResult([article] if article else [], error=None if article else "empty file")
    if suffix in {".json", ".jsonl"}:
        return _json_articles(name, text, source, now, lines=suffix == ".jsonl")
    return DocumentResult(error=f"unsupported file type {suffix or '(none)'!r}")


def _json_articles(
    name: str, text: str, source: str, now: datetime, *, lines: bool
) -> DocumentResult:
    result = DocumentResult()
    try:
        items = (
            [json.loads(ln) for ln in text.splitlines() if ln.strip()]
            if lines
            else json.loads(text)
        )
    except json.JSONDecodeError as exc:
        result.error = f"invalid JSON: {exc.msg} at line {exc.lineno}"
        return result
    if isinstance(items, dict):
        items = [items]
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            result.rejects.append(Reject("not a JSON object", json.dumps(item)[:1000]))
            continue
        title = str(item.get("title") or "")
        body = str(item.get("body") or item.get("text") or "")
        if not title and not body:
            result.rejects.append(
                Reject("empty entry: no title and no text", json.dumps(item)[:1000])
            )
            continue
        url = item.get("url")
        result.articles.append(
            Article(
                id=str(item.get("id") or stable_id(str(url or name), title)),
                source=str(item.get("source") or source),
                title=title,
                body=body,
                url=str(url) if url else None,
                fetched=now,
                language=item.get("language"),
            )
        )
    return result
