"""The pure parts of full text: refused addresses, HTML answers, and the article update."""

from datetime import UTC, datetime

import pytest

from escmon.models import Article
from producers.extraction import Extracted
from producers.fulltext import decode_page, full_text_article, is_html, refused_address

NOW = datetime(2026, 11, 29, tzinfo=UTC)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.10.10", "link_local"),
        ("fe80::1%eth0", "link_local"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("100.64.0.1", "reserved"),
        ("0.0.0.0", "private"),
        ("224.0.0.1", "reserved"),
        ("not an ip", "not_an_address"),
    ],
)
def test_refused_addresses(address, reason):
    assert refused_address(address) == reason


@pytest.mark.parametrize(
    ("content_type", "html"),
    [
        ("text/html; charset=utf-8", True),
        ("application/xhtml+xml", True),
        (None, True),
        ("application/pdf", False),
        ("application/json", False),
        ("image/jpeg", False),
    ],
)
def test_is_html(content_type, html):
    assert is_html(content_type) is html


def test_pages_are_decoded_by_header_then_meta_then_utf8():
    latin = "<p>Déploiement à Kherson</p>".encode("cp1252")
    assert "Déploiement" in decode_page(latin, "text/html; charset=windows-1252")
    assert "Déploiement" in decode_page(b'<meta charset="windows-1252">' + latin, "text/html")
    assert decode_page("<p>Київ</p>".encode(), None) == "<p>Київ</p>"
    assert decode_page(b"<p>\xff</p>", "text/html; charset=bogus") == "<p>\ufffd</p>"


def summary_article() -> Article:
    return Article(
        id="a1",
        source="wire",
        title="Port shelled",
        body="Artillery hit the port overnight.",
        url="https://news.example/port",
        fetched=NOW,
    )


def test_the_update_carries_the_full_text_and_keeps_the_summary():
    text = "Artillery hit the port overnight, killing three dock workers. " * 10
    found = Extracted(text=text, date=datetime(2026, 11, 28, tzinfo=UTC))
    verdict = full_text_article(summary_article(), "<html>…</html>", found, min_chars=300)
    assert verdict.article is not None
    update = verdict.article
    assert (update.id, update.body, update.summary, update.full_text) == (
        "a1",
        text,
        "Artillery hit the port overnight.",
        True,
    )
    assert update.published == datetime(2026, 11, 28, tzinfo=UTC)
    assert (update.title, update.url, update.source) == (
        "Port shelled",
        summary_article().url,
        "wire",
    )


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ("<div class='paywall'>Subscribe to continue reading</div>", "paywall"),
        ('<script>{"isAccessibleForFree": false}</script>', "paywall"),
        ("<div>Watch the video</div>", "thin_text"),
    ],
)
def test_short_pages_keep_the_summary_and_say_why(page, reason):
    found = Extracted(text="Artillery hit the port overnight, officials said.")
    verdict = full_text_article(summary_article(), page, found, min_chars=300)
    assert (verdict.article, verdict.reason) == (None, reason)


def test_a_page_no_longer_than_the_summary_keeps_the_summary():
    article = summary_article().model_copy(update={"body": "x" * 900})
    verdict = full_text_article(article, "<p/>", Extracted(text="y" * 800), min_chars=300)
    assert verdict.reason == "nothing_new"
