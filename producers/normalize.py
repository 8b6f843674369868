"""Normalising what feeds and files say into Article fields (pure functions, no I/O).

Each function takes plain values and returns plain values, so the rules are unit-tested without a
feed: readable text from HTML, UTC dates, canonical URLs, stable ids and a language code.
"""

from __future__ import annotations

import calendar
import html
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from escmon.models import stable_id

# Tags whose content is never readable text.
_DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "object", "svg", "head"]
# Tags that end a line when rendered; everything else is inline and joins its neighbours.
_BLOCK_TAGS = frozenset({
    "p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre",
    "section", "article", "header", "footer", "figure", "figcaption", "hr", "dl", "aside", "nav",
    "main",
})  # fmt: skip
_LINE_TAGS = frozenset({"br", "li", "tr", "dt", "dd"})
# More tags than this in one fragment is not an article but an attack on the parser (deep
# nesting costs an HTML5 tree builder quadratic time): such text is stripped by a linear scan.
MAX_TAGS = 5000
_ANY_TAG = re.compile(r"<[^<>]{0,2000}>")
_LINE_BREAKING_TAG = re.compile(
    r"</?(?:p|div|br|li|tr|h[1-6]|ul|ol|table|blockquote|pre|section|article|hr|dt|dd)\b[^<>]{0,2000}>",
    re.I,
)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_PAGE_LANG = re.compile(r"<html\b[^<>]{0,500}?\blang=[\"']?([\w-]{1,35})", re.I)


def html_page(value: str, *, max_tags: int = MAX_TAGS) -> tuple[str, str | None]:
    """The ``<title>`` and ``<html lang>`` of a whole page.

    By the HTML5 parser up to ``max_tags`` tags; past that by plain searching (linear), since a
    deeply nested page makes any tree builder quadratic.
    """
    if value.count("<") > max_tags:
        lowered = value.lower()
        start = lowered.find("<title")
        opened = lowered.find(">", start) if start != -1 else -1
        end = lowered.find("</title", opened) if opened != -1 else -1
        title = clean_title(value[opened + 1 : end]) if 0 <= opened < end else ""
        found = _PAGE_LANG.search(value[:65536])
        return title, found.group(1) if found else None
    tree = LexborHTMLParser(value)
    node = tree.css_first("title")
    root = tree.root
    lang = root.attributes.get("lang") if root is not None else None
    return (clean_title(node.text()) if node is not None else ""), lang


def _render(value: str) -> str:
    """Text of an HTML fragment by the HTML5 parser (lexbor), with line structure kept."""
    tree = LexborHTMLParser(value)
    tree.strip_tags(_DROP_TAGS)
    body = tree.body
    if body is None:
        return ""
    marked = [n for n in body.traverse() if n.tag in _LINE_TAGS or n.tag in _BLOCK_TAGS]
    for node in marked:
        if node.tag in _LINE_TAGS:
            node.insert_after("\n")
        else:
            node.insert_before("\n\n")
            node.insert_after("\n\n")
    return str(body.text(deep=True, separator="", strip=False))


def _drop_blocks(value: str, tag: str) -> str:
    """``<tag …>…</tag>`` removed by plain searching (linear even when never closed)."""
    lowered = value.lower()
    parts: list[str] = []
    start = 0
    search = 0
    while (found := lowered.find(f"<{tag}", search)) != -1:
        after = lowered[found + len(tag) + 1 : found + len(tag) + 2]
        if after not in (">", "/", " ", "\t", "\n", "\r", ""):
            search = found + 1  # "<header" is not "<head"
            continue
        parts.append(value[start:found])
        end = lowered.find(f"</{tag}", found)
        if end == -1:
            return "".join(parts)
        close = lowered.find(">", end)
        start = search = close + 1 if close != -1 else len(value)
    parts.append(value[start:])
    return "".join(parts)


def _strip_linear(value: str) -> str:
    """Tags removed by bounded regular expressions: linear, for hostile or absurd markup."""
    for tag in ("head", "title", "script", "style"):
        value = _drop_blocks(value, tag)
    value = _LINE_BREAKING_TAG.sub("\n", value)
    return html.unescape(_ANY_TAG.sub(" ", value))


def html_to_text(value: str, *, max_tags: int = MAX_TAGS) -> str:
    """Readable text of an HTML fragment: tags dropped, entities decoded, lines kept.

    Block elements (``<p>``, ``<br>``, ``<li>`` …) become line breaks, inline ones (``<b>``,
    ``<a>``) join their neighbours, scripts and styles vanish, runs of spaces become one space and
    blank lines at most one. Plain text passes through with only its whitespace tidied. Past
    ``max_tags`` tags the markup is stripped by a linear scan instead of being parsed. The
    parser is lexbor (selectolax), an HTML5 parser in C: Python's html.parser, under bs4, took
    29 s for 50 kB of nested ``<a>`` tags and is quadratic on several other patterns.

    >>> html_to_text("<p>Strikes on <b>Gaza</b> &amp; Rafah</p><p>Second&nbsp;para</p>")
    'Strikes on Gaza & Rafah\\n\\nSecond para'
    """
    if not value:
        return ""
    if "<" not in value:
        value = html.unescape(value)  # entities only; a bare "Q&A" stays as it is
    elif value.count("<") > max_tags:
        value = _strip_linear(value)
    else:
        value = _render(value)
    value = _CONTROL.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# The link back to the site that many feeds append to every item's summary: the same words under
# every item, so the linker would read two items of one outlet as sharing names ('Read', 'Full').
_TRAILER = re.compile(
    r"(?:^|\n|(?<=[.!?\u201d\"]) )(?:"
    r"(?:read|continue reading)(?: the)?(?: full| more)?(?: article| story)?"
    r"(?: (?:at|on) [^\n]{1,80})?"
    r"|the post [^\n]{1,300} appeared first on [^\n]{1,100}"
    r")[ .…]*$",
    re.IGNORECASE,
)


def drop_trailer(text: str) -> str:
    """``text`` without a feed's closing link-back line ('Read Full Article at RT.com', 'The post
    ... appeared first on ...', 'Continue reading...'); a sentence that only mentions reading
    stays.

    >>> drop_trailer("Strikes hit Kyiv overnight\\nRead Full Article at RT.com")
    'Strikes hit Kyiv overnight'
    >>> drop_trailer("Residents were told to read the full order.")
    'Residents were told to read the full order.'
    """
    return _TRAILER.sub("", text).rstrip()


def clean_title(value: str) -> str:
    """A title on one line: HTML and entities resolved, all whitespace runs one space.

    >>> clean_title("Breaking:&#160;<em>ceasefire</em>\\n  holds")
    'Breaking: ceasefire holds'
    """
    return " ".join(html_to_text(value).split())


def utc_from_struct(
    value: time.struct_time | None, *, now: datetime, future_slack: timedelta = timedelta(days=1)
) -> datetime | None:
    """A feedparser ``*_parsed`` value (UTC ``struct_time``) as an aware UTC datetime.

    Missing dates give ``None``; so do dates further in the future than ``future_slack`` (a feed
    with a wrong clock or a placeholder year), because the alert windows use this time.
    """
    if not value:
        return None
    try:
        when = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None
    if when > now + future_slack or when.year < 1970:
        return None
    return when


def parse_iso_datetime(value: Any, *, now: datetime) -> datetime | None:
    """An ISO 8601 string (or epoch seconds) as UTC; a time without a zone is taken as UTC."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            when = datetime.fromtimestamp(float(value), tz=UTC)
        else:
            when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    if when > now + timedelta(days=1):
        return None
    return when


# Query parameters that say who sent the reader, not which page it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
        "mc_eid", "_ga", "_gl", "ocid", "cmpid", "ncid", "smid", "sr_share", "at_medium",
        "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "wt.mc_id",
        "guccounter", "__twitter_impression", "spm", "xtor",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str | None, base: str | None = None) -> str | None:
    """The URL that names the story: tracking parameters and fragment gone, host lowercased.

    Relative links are resolved against ``base``; default ports and an empty path are
    normalised; the order of the remaining parameters is kept (some sites depend on it). Anything
    that is not an http(s) URL after that gives ``None``.

    >>> canonical_url("HTTPS://News.Example.COM:443/a/b?id=7&utm_source=rss&fbclid=x#top")
    'https://news.example.com/a/b?id=7'
    """
    if not url:
        return None
    url = url.strip()
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host:
        return None
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query, doseq=True), ""))


def article_id(
    url: str | None, guid: str | None = None, *, source: str = "", title: str = ""
) -> str:
    """Stable id of a story: its canonical URL, else its GUID, else source and title.

    The canonical URL comes first because two feeds carrying the same story agree on the link but
    each invents its own GUID; a GUID that is itself a URL is canonicalised the same way.
    """
    if url:
        return stable_id(url)
    if guid and guid.strip():
        guid = guid.strip()
        return stable_id(canonical_url(guid) or guid)
    return stable_id(source, title)


def language_code(value: str | None) -> str | None:
    """A primary language subtag in lower case: ``"en-US"`` → ``"en"``; junk gives ``None``."""
    if not value:
        return None
    code = re.split(r"[-_\s,;]", value.strip(), maxsplit=1)[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


_detector_lock = threading.Lock()
_detector_factory: Any = None
MIN_DETECT_CHARS = 40


def detect_language(text: str, *, min_chars: int = MIN_DETECT_CHARS) -> str | None:
    """The language of ``text`` by langdetect, seeded so the same text always gives the same code.

    Texts shorter than ``min_chars`` letters give ``None``: a headline of three words is a guess.
    """
    sample = text[:2000]
    if sum(ch.isalpha() for ch in sample) < min_chars:
        return None
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    global _detector_factory  # the profiles (a few MB) are loaded once per process
    with _detector_lock:
        if _detector_factory is None:
            factory = DetectorFactory()
            factory.load_profile(PROFILES_DIRECTORY)
            factory.set_seed(0)
            _detector_factory = factory
        detector = _detector_factory.create()
    detector.append(sample)
    try:
        return language_code(str(detector.detect()))
    except LangDetectException:
        return None


def article_language(declared: str | None, text: str) -> str | None:
    """The entry's or feed's declared language if it has one, else the detected one."""
    return language_code(declared) or detect_language(text)
