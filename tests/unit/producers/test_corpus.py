"""Corpora of real and broken feeds through the parser: no crash, articles or a reason.

``tests/fixtures/feedparser/`` holds a pinned selection of feedparser's test documents (BSD-2,
LICENSE there); the whole 2,100-document corpus and four real news feeds are read in place from
``../shared/corpora`` when present.
"""

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

from producers.feeds import FeedResult, parse_feed
from producers.normalize import canonical_url

TESTS = Path(__file__).resolve().parents[2]
SELECTION = TESTS / "fixtures" / "feedparser"
SHARED = TESTS.parent.parent / "shared" / "corpora"
CORPUS = SHARED / "feedparser-tests" / "tests"
NEWS = SHARED / "feeds"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)

# What each copied document gives: "articles", "empty" (a well-formed feed without entries),
# "reject:<reason>" (entries that cannot be articles) or "error:<reason>" (the whole document).
EXPECTED = {
    "illformed/aaa_illformed.xml": "error:malformed_xml",
    "illformed/always_strip_doctype.xml": "empty",
    "illformed/http_high_bit_date.xml": "empty",
    "illformed/rss_empty_document.xml": "error:malformed_xml",
    "illformed/rss_incomplete_cdata.xml": "reject:empty_entry",
    "illformed/rss_item_link_corrupted_ampersands.xml": "reject:empty_entry",
    "illformed/undeclared_namespace.xml": "error:malformed_xml",
    "illformed/chardet/big5.xml": "error:wrong_encoding",
    "illformed/chardet/koi8r.xml": "articles",
    "illformed/chardet/windows1255.xml": "articles",
    "encoding/bozo_bogus_encoding.xml": "error:wrong_encoding",
    "encoding/bozo_double-encoded-html.xml": "articles",
    "encoding/bozo_encoding_mismatch_crash.xml": "articles",
    "encoding/bozo_invalid-bytes-with-bom.xml": "error:malformed_xml",
    "encoding/bozo_linenoise.xml": "articles",
    "encoding/demoronize-1.xml": "articles",
    "encoding/double-encoded-html.xml": "articles",
    "encoding/utf-16le-bom.xml": "empty",
    "encoding/utf-16be-autodetect.xml": "empty",
    "encoding/utf-32le-bom.xml": "empty",
    "encoding/utf-8-bom.xml": "empty",
    "encoding/euc-kr-item.xml": "articles",
    "entities/8220.xml": "error:malformed_xml",
    "entities/aacute.xml": "error:malformed_xml",
    "wellformed/rss/item_description_escaped_markup.xml": "articles",
    "wellformed/rss/item_description_naked_markup.xml": "articles",
    "wellformed/rss/item_guid_guidislink.xml": "reject:empty_entry",
    "wellformed/rss/item_guid_not_permalink.xml": "reject:empty_entry",
    "wellformed/rss/item_pubDate.xml": "reject:empty_entry",
    "wellformed/rss/item_link.xml": "reject:empty_entry",
    "wellformed/rss/item_title.xml": "articles",
}


def outcome(result: FeedResult) -> str:
    """One word for what a document gave (articles win over rejects)."""
    if result.error:
        assert not result.articles, "an error means nothing was read"
        return "error:" + result.error.split(":")[0]
    if result.articles:
        return "articles"
    if result.rejects:
        return "reject:" + result.rejects[0].reason.split(":")[0]
    return "empty"


def check_articles(result: FeedResult) -> None:
    """Every article is publishable: an id, some text, a canonical URL, an aware UTC date."""
    for article in result.articles:
        assert article.id
        assert article.title or article.body
        assert "\x00" not in article.title + article.body
        assert article.title == " ".join(article.title.split()), "titles are one line"
        if article.url is not None:
            assert canonical_url(article.url) == article.url
        if article.published is not None:
            assert article.published.utcoffset().total_seconds() == 0
            assert article.published <= NOW.replace(year=NOW.year + 1)
    for reject in result.rejects:
        assert reject.reason.split(":")[0].isidentifier()
        assert len(reject.payload) <= 4000


def test_the_copied_selection_is_complete():
    on_disk = {str(p.relative_to(SELECTION)) for p in SELECTION.rglob("*.xml") if p.is_file()}
    assert on_disk == set(EXPECTED)
    assert (SELECTION / "LICENSE").is_file()


# feedparser guesses undeclared encodings with chardet when it is installed (it is not a
# dependency here); with it, these documents may decode properly and give articles.
HAS_CHARDET = any(importlib.util.find_spec(m) for m in ("chardet", "cchardet"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_selected_feedparser_documents(name):
    result = parse_feed((SELECTION / name).read_bytes(), source=name, now=NOW)
    allowed = {EXPECTED[name]}
    if HAS_CHARDET and name.startswith("illformed/chardet/"):
        allowed.add("articles")
    assert outcome(result) in allowed
    check_articles(result)


def test_selected_documents_details():
    def parse(name: str) -> FeedResult:
        return parse_feed((SELECTION / name).read_bytes(), source=name, now=NOW)

    assert parse("encoding/demoronize-1.xml").articles[0].body == "don’t"
    assert parse("encoding/euc-kr-item.xml").articles[0].body == "년"
    assert parse("wellformed/rss/item_title.xml").articles[0].title == "Item 1 title"
    assert parse("encoding/bozo_double-encoded-html.xml").warning.startswith("malformed_xml:")
    # Markup escaped or naked in a description ends as the same readable text.
    escaped = parse("wellformed/rss/item_description_escaped_markup.xml").articles[0].body
    naked = parse("wellformed/rss/item_description_naked_markup.xml").articles[0].body
    assert escaped == naked == "Example description"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"feedparser corpus not found at {CORPUS}")
def test_every_feedparser_corpus_document_gives_articles_or_a_reason():
    counts: dict[str, int] = {}
    documents = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(documents) > 2000
    for path in documents:
        result = parse_feed(path.read_bytes(), source=path.name, now=NOW)
        kind = outcome(result).split(":")[0]
        counts[kind] = counts.get(kind, 0) + 1
        check_articles(result)
        if kind == "empty":
            # Only a document feedparser read as a feed, without entries, may give nothing.
            assert not result.warning, f"{path}: recovered input must give articles or a reason"
    print(f"feedparser corpus: {len(documents)} documents: {counts}")
    assert counts.get("articles", 0) > 400
    assert counts.get("error", 0) > 100, "the corpus has plenty of unreadable documents"


@pytest.mark.skipif(not NEWS.is_dir(), reason=f"news feed corpus not found at {NEWS}")
@pytest.mark.parametrize(
    ("name", "items"),
    [
        ("bbc-news-front-page.xml", 16),
        ("nyt-top-stories-2023-11-24.xml", 25),
        ("npr-news-2023-11.xml", 15),
        ("reuters-world-news-2018-01.xml", 10),
    ],
)
def test_real_news_feeds_give_one_clean_article_per_item(name, items):
    result = parse_feed((NEWS / name).read_bytes(), source=name, now=NOW)
    assert result.error is None and not result.rejects
    assert len(result.articles) == items
    assert len({a.id for a in result.articles}) == items
    check_articles(result)
    for article in result.articles:
        assert article.url and article.url.startswith("http")
        assert article.published is not None
        assert article.language == "en"
        assert "<" not in article.title and "&amp;" not in article.title
        assert "<" not in article.body
