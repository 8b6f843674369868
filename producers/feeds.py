"""Feed bytes → Articles (pure). feedparser parses; it never fetches.

Errors are values: a feed that cannot be read gives ``FeedResult.error`` (``"<reason>: <detail>"``),
an entry that cannot become an article gives a :class:`Reject`, a feed that was malformed but
parsed leniently gives ``warning``. Nothing here raises on bad input.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import feedparser

from escmon.models import Article
from producers.normalize import (
    article_id,
    article_language,
    canonical_url,
    clean_title,
    drop_trailer,
    html_to_text,
    utc_from_struct,
)

REJECT_PAYLOAD_CAP = 4000
# An internal entity may expand to at most this many bytes; real feeds declare one character
# (``&nbsp;``) at most. Longer values are how "quadratic blowup" bombs start.
MAX_ENTITY_VALUE = 64
_ENTITY_HEAD = re.compile(r"\s+(?:%\s+)?([\w.:-]{1,200})\s+")
_CHAR_REF = re.compile(r"&#x?[0-9a-fA-F]+;")


@dataclass
class Reject:
    """An entry that could not become an article: ``reason`` (``code: detail``), raw entry."""

    reason: str
    payload: str


@dataclass
class FeedResult:
    """Articles, rejected entries, a feed-level error, and a warning about recovered input."""

    articles: list[Article] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    error: str | None = None
    warning: str | None = None
    language: str | None = None


_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_FIRST_CHAR = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


def _prolog_text(data: bytes) -> str:
    """The document's start decoded well enough to find entity declarations in any UTF."""
    head = data[:65536]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, "ignore")
    for start, encoding in _FIRST_CHAR:
        if head.startswith(start):
            return head.decode(encoding, "ignore")
    return head.decode("latin-1")


def unsafe_entities(data: bytes) -> str | None:
    """Why the document's DTD is unsafe to expand (an entity bomb), or ``None`` when it is not.

    feedparser drops nested and external entities itself, but its lenient fallback parser expands
    long internal entities: a 110 kB "quadratic blowup" document grew to gigabytes in our test, so
    such documents are refused before parsing. The scan is linear (split, no backtracking regex),
    so a hostile prolog cannot make the check itself slow.
    """
    text = _prolog_text(data)
    if "<!ENTITY" not in text:
        return None
    for part in text.split("<!ENTITY")[1:]:
        found = _ENTITY_HEAD.match(part)
        if not found:
            continue
        name, rest = found.group(1), part[found.end() :].split("<!", 1)[0]
        if rest.startswith(("SYSTEM", "PUBLIC")) or rest[:1] not in ("'", '"'):
            continue  # external entities are never fetched by feedparser
        closing = rest.find(rest[0], 1)
        value = rest[1:closing] if closing > 0 else rest[1:]
        refers = "&" in _CHAR_REF.sub("", value)
        if len(value) > MAX_ENTITY_VALUE or refers:
            return f"xml_entity_bomb: entity {name!r} expands to {len(value)} characters"
    return None


def _payload(entry: Any) -> str:
    return json.dumps(entry, default=str, ensure_ascii=False)[:REJECT_PAYLOAD_CAP]


_MRSS_PREFIX = re.compile(
    r"""xmlns:([\w.-]{1,50})\s*=\s*["']https?://search\.yahoo\.com/mrss/?["']"""
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)


def _document_text(data: bytes) -> str:
    """The whole document as text, for the caption scan (UTF-8 unless a BOM says otherwise)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace")
    for start, encoding in _FIRST_CHAR:
        if data.startswith(start):
            return data.decode(encoding, "replace")
    return data.decode("utf-8", "replace")


def media_captions(data: bytes) -> frozenset[str]:
    """The texts of the document's ``media:description`` elements (photo captions), as body text.

    feedparser files a ``media:description`` as the entry's ``content`` when the item's own
    description came first, and as its ``summary`` when the caption came first (the description
    then becomes ``content``), and keeps no trace of which was which. So the captions are read from
    the bytes and :func:`_body` refuses any part whose text is one of them. A feed in a legacy
    8-bit encoding with non-ASCII captions will not match here; its captions are then treated as
    before (a lost precision, not a lost article).

    >>> sorted(media_captions(b'<rss xmlns:media="http://search.yahoo.com/mrss/"><item>'
    ...     b'<media:description><![CDATA[A <b>man</b> walks.]]></media:description></item></rss>'))
    ['A man walks.']
    """
    if b"search.yahoo.com/mrss" not in data:
        return frozenset()
    text = _document_text(data)
    captions = set()
    for prefix in set(_MRSS_PREFIX.findall(text)):
        element = re.compile(
            rf"<{re.escape(prefix)}:description\b[^>]*>(.*?)</{re.escape(prefix)}:description\s*>",
            re.DOTALL,
        )
        for raw in element.findall(text):
            caption = html_to_text(html.unescape(_CDATA.sub(r"\1", raw)))
            if caption:
                captions.add(caption)
    return frozenset(captions)


def _body(entry: Any, captions: frozenset[str] = frozenset()) -> str:
    """The item's own text: content, else summary; a photo caption never stands in for either.

    A caption describes a picture (often an old one, or of another place), so an item whose only
    text is a caption gets an empty body and is read from its title alone.
    """
    content = entry.get("content") or []
    html_parts = [c.get("value", "") for c in content if isinstance(c, dict) and c.get("value")]
    texts = [drop_trailer(html_to_text(v)) for v in html_parts if isinstance(v, str)]
    texts = [t for t in texts if t and t not in captions]
    if texts:
        # Atom may carry both a summary and the full content: the content is the longer truth.
        return max(texts, key=len)
    summary = entry.get("summary", "") or ""
    text = drop_trailer(html_to_text(summary if isinstance(summary, str) else ""))
    return "" if text in captions else text


def parse_feed(
    data: bytes,
    *,
    source: str,
    now: datetime,
    content_type: str | None = None,
    base_url: str | None = None,
    max_entries: int = 1000,
) -> FeedResult:
    """Parse feed bytes into articles; malformed input gives ``error`` or rejects, never raises."""
    if not data.strip():
        return FeedResult(error="empty_document: no bytes to parse")
    bomb = unsafe_entities(data)
    if bomb:
        return FeedResult(error=bomb)
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    if base_url and "://" in base_url:
        headers["content-location"] = base_url  # feedparser resolves relative links against it
    try:
        parsed = feedparser.parse(data, response_headers=headers or None)
    except Exception as exc:  # noqa: BLE001 - a parser surprise is bad input, not a crash
        return FeedResult(error=f"unparseable: feedparser raised {type(exc).__name__}")
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.entries:
        if bozo is not None:
            return FeedResult(error=f"{_bozo_reason(bozo)}: {_one_line(bozo)}")
        if not parsed.get("version"):
            return FeedResult(error="not_a_feed: no RSS, Atom or RDF document found")
    declared = parsed.feed.get("language") if isinstance(parsed.feed, dict) else None
    result = FeedResult(language=declared)
    if bozo is not None:
        result.warning = f"{_bozo_reason(bozo)}: recovered leniently: {_one_line(bozo)}"
    entries = parsed.entries
    if len(entries) > max_entries:
        result.rejects.append(
            Reject(
                f"too_many_entries: {len(entries)} entries, the first {max_entries} kept",
                _payload(entries[max_entries]),
            )
        )
        entries = entries[:max_entries]
    captions = media_captions(data)
    for entry in entries:
        article = entry_article(
            entry, source=source, now=now, feed_language=declared, captions=captions
        )
        if isinstance(article, Reject):
            result.rejects.append(article)
        else:
            result.articles.append(article)
    return result


def entry_article(
    entry: Any,
    *,
    source: str,
    now: datetime,
    feed_language: str | None = None,
    captions: frozenset[str] = frozenset(),
) -> Article | Reject:
    """One feedparser entry as an Article, or a Reject saying why it cannot be one.

    ``captions`` are the feed's photo captions (:func:`media_captions`), never used as the body.
    """
    title = clean_title(str(entry.get("title") or ""))
    body = _body(entry, captions)
    if not title and not body:
        return Reject("empty_entry: no title and no text", _payload(entry))
    url = canonical_url(str(entry.get("link") or "")) or None
    guid = entry.get("id")
    # dict.get: FeedParserDict.get maps updated_parsed to published_parsed with a warning.
    published = utc_from_struct(dict.get(entry, "published_parsed"), now=now) or utc_from_struct(
        dict.get(entry, "updated_parsed"), now=now
    )
    language = article_language(entry.get("language") or feed_language, f"{title}\n{body}")
    return Article(
        id=article_id(url, str(guid) if guid else None, source=source, title=title),
        source=source,
        title=title,
        body=body,
        url=url,
        published=published,
        fetched=now,
        language=language,
    )


def _bozo_reason(exc: Any) -> str:
    """A short, fixed reason code for feedparser's bozo exception (a metrics label)."""
    kinds = {
        "CharacterEncodingOverride": "wrong_encoding",
        "CharacterEncodingUnknown": "unknown_encoding",
        "NonXMLContentType": "not_xml_content_type",
    }
    return kinds.get(type(exc).__name__, "malformed_xml")


def _one_line(exc: Any) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def with_feed_hints(
    articles: list[Article], region: str | None, tags: list[str]
) -> list[Article]:
    """The articles carrying their feed's configured region hint and tags.

    The id is not touched: the same story from two feeds with different hints is still one
    article (the first feed to publish it gives its hints).
    """
    if region is None and not tags:
        return articles
    return [a.model_copy(update={"region": region, "tags": list(tags)}) for a in articles]

