"""Dropped files → Articles (pure): .txt/.md, .html, .json/.jsonl, feed .xml."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any

from escmon.models import Article, stable_id
from producers.extraction import PAGE_MAX_TAGS, extract_main
from producers.feeds import parse_feed
from producers.normalize import (
    article_id,
    article_language,
    canonical_url,
    clean_title,
    detect_language,
    html_to_text,
    parse_iso_datetime,
)

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
JSON_SUFFIXES = {".json", ".jsonl"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | JSON_SUFFIXES
REJECT_CAP = 4000


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
    warning: str | None = None


CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32)) + b"\x7f"
MAX_CONTROL_SHARE = 0.05


def _decode(data: bytes) -> str | None:
    """The text of a file in UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252; else None.

    A NUL byte, or more than 5 % control characters, marks a binary file: such a file must be
    refused, not published as mojibake.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    head = data[:8192]
    if b"\x00" in head:
        return None
    if head and sum(head.count(c) for c in CONTROL_BYTES) > MAX_CONTROL_SHARE * len(head):
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _text_article(name: str, text: str, source: str, now: datetime) -> Article | None:
    lines = [ln.strip() for ln in text.strip().splitlines()]
    if not lines:
        return None
    title = " ".join(re.sub(r"^#+\s*", "", lines[0]).split())
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines[1:]).strip())
    if not title and not body:
        return None
    return Article(
        id=stable_id(name, title),
        source=source,
        title=title,
        body=body,
        fetched=now,
        language=detect_language(f"{title}\n{body}"),
    )


def _html_article(name: str, text: str, source: str, now: datetime) -> Article | None:
    # The main text, not the whole page: a page's menus and "related stories" are other
    # stories' headlines. Hostile markup is stripped linearly before any tree is built.
    page = extract_main(text, now=now, max_tags=PAGE_MAX_TAGS)
    title, body = page.title, page.text
    if not title:
        return _text_article(name, body, source, now)
    return Article(
        id=stable_id(name, title),
        source=source,
        title=title,
        body=body,
        published=page.date,
        fetched=now,
        language=article_language(page.language, f"{title}\n{body}"),
    )


def parse_document(
    name: str, data: bytes, *, source: str, now: datetime, max_bytes: int = 5_000_000
) -> DocumentResult:
    """Turn one file's bytes into articles; never raises.

    ``.txt``/``.md``: the first line is the title (``#`` marks dropped), the rest the body.
    ``.html``/``.htm``: the page's title and main text (:func:`extract_main`). ``.json``: one
    object or a list of objects; ``.jsonl``: one object per line (fields below).
    ``.xml``/``.rss``/``.atom``: a feed.

    JSON fields: ``title`` and ``body`` (or ``text``; at least one of them), optional ``url``,
    ``id`` (else the hash of the canonical URL, else of file name and title), ``published``
    (ISO 8601, a zone-less time is UTC), ``source`` (else the file path) and ``language``.
    """
    if len(data) > max_bytes:
        return DocumentResult(error=f"too_large: {len(data)} bytes > {max_bytes}")
    suffix = PurePath(name).suffix.lower()
    if suffix in FEED_SUFFIXES:
        feed = parse_feed(data, source=source, now=now)
        return DocumentResult(
            feed.articles,
            [Reject(r.reason, r.payload) for r in feed.rejects],
            feed.error,
            feed.warning,
        )
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES:
        return DocumentResult(error=f"unsupported_type: file type {suffix or '(none)'!r}")
    text = _decode(data)
    if text is None:
        return DocumentResult(error="binary: not text in UTF-8, UTF-16 or cp1252")
    if suffix in JSON_SUFFIXES:
        return _json_articles(name, text, source, now, lines=suffix == ".jsonl")
    if suffix in TEXT_SUFFIXES:
        article = _text_article(name, text, source, now)
    else:
        article = _html_article(name, text, source, now)
    if article is None:
        return DocumentResult(error="empty_document: no title and no text")
    return DocumentResult([article])


def _json_articles(
    name: str, text: str, source: str, now: datetime, *, lines: bool
) -> DocumentResult:
    result = DocumentResult()
    items: list[Any] = []
    if lines:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except (json.JSONDecodeError, RecursionError) as exc:
                why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                result.rejects.append(
                    Reject(f"invalid_json: line {number}: {why}", line[:REJECT_CAP])
                )
    else:
        try:
            loaded = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = (
                f"{exc.msg} at line {exc.lineno}"
                if isinstance(exc, json.JSONDecodeError)
                else "nested too deeply"
            )
            return DocumentResult(error=f"invalid_json: {detail}")
        items = [loaded] if isinstance(loaded, dict) else loaded if isinstance(loaded, list) else []
        if not isinstance(loaded, dict | list):
            return DocumentResult(error="invalid_json: expected an object or a list of objects")
    for item in items:
        article = json_article(item, name=name, source=source, now=now)
        if isinstance(article, Reject):
            result.rejects.append(article)
        else:
            result.articles.append(article)
    if not result.articles and not result.rejects:
        result.error = "empty_document: no JSON objects"
    return result


def json_article(item: Any, *, name: str, source: str, now: datetime) -> Article | Reject:
    """One JSON object (fields in :func:`parse_document`) as an Article, or why it is not one."""
    if not isinstance(item, dict):
        return Reject("not_an_object: JSON value is not an object", _dump(item))
    title = clean_title(_str(item.get("title")))
    body = html_to_text(_str(item.get("body") or item.get("text")))
    if not title and not body:
        return Reject("empty_entry: no title and no text", _dump(item))
    url = canonical_url(_str(item.get("url"))) or None
    given_id = _str(item.get("id")).strip()
    return Article(
        id=given_id or (article_id(url) if url else stable_id(name, title, body[:200])),
        source=_str(item.get("source")).strip() or source,
        title=title,
        body=body,
        url=url,
        published=parse_iso_datetime(item.get("published"), now=now),
        fetched=now,
        language=article_language(_str(item.get("language")) or None, f"{title}\n{body}"),
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _dump(item: Any) -> str:
    try:
        return json.dumps(item, ensure_ascii=False)[:REJECT_CAP]
    except (ValueError, RecursionError):
        return repr(item)[:REJECT_CAP]
