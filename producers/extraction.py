"""The main text of a whole HTML page (pure): trafilatura, with guards and a plain-text fallback.

A page's navigation, bylines, "related stories" boxes and footers are not the article: their
headlines would become signals of the wrong story. trafilatura finds the main text; the options
below were chosen on ``../shared/corpora/html-news`` (see docs/full-text.md for the figures).
"""

from __future__ import annotations

import html
import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from selectolax.lexbor import LexborHTMLParser

from producers.normalize import clean_title, html_page, html_to_text

logger = logging.getLogger(__name__)

# A whole page has far more tags than a feed's fragment; past this many the page is not parsed
# into a tree at all (an HTML5 tree builder is quadratic on deep nesting), only stripped linearly.
PAGE_MAX_TAGS = 50_000
# Blocks that are never the article, named the way sites name them (readability's "unlikely
# candidates" follow the same idea): newsletter sign-ups and promos placed between paragraphs,
# call-to-action boxes ("-cta"), trust/award badges. Generic class and id words, not per-site
# rules: each was checked not to remove article text anywhere in the evaluation pages.
BOILERPLATE_WORDS = ("newsletter", "promo", "signup", "subscribe", "-cta", "badge")
PRUNE_XPATH = [f"//*[contains(@class,'{w}') or contains(@id,'{w}')]" for w in BOILERPLATE_WORDS]
# schema.org types whose ``articleBody`` is the article's text.
_ARTICLE_TYPES = re.compile(r"\w*(?:Article|Posting)$")  # NewsArticle, OpinionNewsArticle …
_LD_MAX_DEPTH = 8


@dataclass(frozen=True)
class Extracted:
    """A page's main text and what the page says about itself; ``method`` names the way taken."""

    text: str
    title: str = ""
    date: datetime | None = None
    language: str | None = None
    method: str = "trafilatura"  # "trafilatura", "json_ld" or "fallback"
    seconds: float = 0.0


def extract_main(
    page: str | bytes,
    *,
    url: str | None = None,
    now: datetime | None = None,
    max_tags: int = PAGE_MAX_TAGS,
) -> Extracted:
    """The main text of an HTML page; never raises.

    Falls back to the whole page's readable text (:func:`html_to_text`) when the page has more
    than ``max_tags`` tags (hostile or absurd markup, stripped linearly instead) or when
    trafilatura finds nothing. When the page's JSON-LD ``articleBody`` is more than twice as long
    as what trafilatura found, that is the text (sites that render the article with scripts).
    """
    started = time.perf_counter()
    text = page if isinstance(page, str) else page.decode("utf-8", "replace")
    title, lang = html_page(text, max_tags=max_tags)
    if text.count("<") > max_tags:
        body = html_to_text(text, max_tags=max_tags)
        return Extracted(body, title, None, lang, "fallback", time.perf_counter() - started)
    found = _trafilatura(text, url)
    # trafilatura puts one block on a line; the producer's texts separate paragraphs by a blank
    # line (as html_to_text does), which the tagger's sentence splitter relies on.
    main = "\n\n".join(ln for ln in found.text.splitlines() if ln.strip()) if found else ""
    ld_body = _json_ld_body(text)
    method = "trafilatura"
    if len(ld_body) > 2 * len(main):
        main, method = ld_body, "json_ld"
    if not main.strip():
        main, method = html_to_text(text, max_tags=max_tags), "fallback"
    if found is not None:
        # The page's own <title> first: trafilatura's guess (og:title, h1 …) is usually neater
        # but now and then a CMS name ("escenic" on one evaluation page).
        title = title or clean_title(found.title or "")
        lang = found.language or lang
    date = _date(found.date if found is not None else None, now or datetime.now(UTC))
    return Extracted(_tidy(main), title, date, lang, method, time.perf_counter() - started)


def _trafilatura(text: str, url: str | None) -> _Found | None:
    import trafilatura  # imported on first use: it loads lxml and dateparser (~0.5 s)

    try:
        doc = trafilatura.bare_extraction(
            text,
            url=url,
            # Comments are readers' words, not the report; fast skips the readability and
            # jusText fallbacks, which on the evaluation pages added boilerplate more often than
            # they rescued text (and doubled the time).
            include_comments=False,
            fast=True,
            with_metadata=True,
            prune_xpath=PRUNE_XPATH,
            # Never deduplicate: trafilatura's deduplication is a process-wide cache, so the
            # same page would extract differently depending on what was read before it.
            deduplicate=False,
        )
    except Exception as exc:  # noqa: BLE001 - a library surprise on bad markup is bad input
        logger.debug("trafilatura failed on %s: %s", url or "a page", exc)
        return None
    if doc is None:
        return None
    return _Found(
        text=str(getattr(doc, "text", "") or ""),
        title=str(getattr(doc, "title", "") or ""),
        date=getattr(doc, "date", None),
        language=getattr(doc, "language", None),
    )


@dataclass(frozen=True)
class _Found:
    text: str
    title: str
    date: str | None
    language: str | None


def _json_ld_body(text: str) -> str:
    """The longest ``articleBody`` of an Article-like object in the page's JSON-LD, as text."""
    if "articleBody" not in text:
        return ""
    best = ""
    tree = LexborHTMLParser(text)
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text())
        except (ValueError, RecursionError):
            continue
        for body in _article_bodies(data, 0):
            if len(body) > len(best):
                best = body
    if not best:
        return ""
    # An articleBody is sometimes HTML, sometimes text with entities left in.
    return html_to_text(best) if "<" in best else html.unescape(best)


def _article_bodies(value: object, depth: int) -> list[str]:
    if depth > _LD_MAX_DEPTH:
        return []
    if isinstance(value, list):
        return [b for item in value for b in _article_bodies(item, depth + 1)]
    if not isinstance(value, dict):
        return []
    found: list[str] = []
    kind = value.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    body = value.get("articleBody")
    if isinstance(body, str) and any(isinstance(k, str) and _ARTICLE_TYPES.match(k) for k in kinds):
        found.append(body)
    for key in ("@graph", "mainEntity", "mainEntityOfPage"):
        if key in value:
            found += _article_bodies(value[key], depth + 1)
    return found


def _date(value: str | None, now: datetime) -> datetime | None:
    """trafilatura's ``YYYY-MM-DD`` as midnight UTC; a date after today is a wrong guess."""
    if not value:
        return None
    try:
        when = datetime.strptime(value[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return None if when > now + timedelta(days=1) or when.year < 1990 else when


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
