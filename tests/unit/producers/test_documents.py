"""Dropped files → Articles: text, Markdown, HTML, JSON, JSON lines, feeds, and bad files."""

import json
from datetime import UTC, datetime

import pytest

from escmon.models import stable_id
from producers.documents import parse_document

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def parse(name: str, data: bytes | str, **kw):
    raw = data.encode() if isinstance(data, str) else data
    return parse_document(name, raw, source=f"/inbox/{name}", now=NOW, **kw)


def test_text_and_markdown_first_line_is_the_title():
    [a] = parse("note.md", "# Quiet   day\n\n\n\nNothing happened in the harbour today.\n").articles
    assert a.title == "Quiet day"
    assert a.body == "Nothing happened in the harbour today."
    assert a.id == stable_id("note.md", "Quiet day")
    assert a.source == "/inbox/note.md"


def test_html_file_title_and_readable_body():
    page = (
        "<html lang='en-GB'><head><title>Port &amp; city shelled</title>"
        "<style>body{}</style></head><body><h1>Port shelled</h1><p>Artillery hit the port "
        "overnight, the mayor said.</p><script>x()</script></body></html>"
    )
    [a] = parse("page.html", page).articles
    assert a.title == "Port & city shelled"
    assert a.body == "Port shelled\n\nArtillery hit the port overnight, the mayor said."
    assert a.language == "en"


def test_json_fields_are_documented_and_used():
    item = {
        "id": "given-1",
        "title": "Strike <b>reported</b>",
        "text": "<p>Body text</p>",
        "url": "https://Example.com/x?utm_source=a",
        "published": "2026-11-24T10:00:00+02:00",
        "source": "analyst-desk",
        "language": "en-US",
    }
    [a] = parse("one.json", json.dumps(item)).articles
    assert (a.id, a.title, a.body, a.url) == (
        "given-1",
        "Strike reported",
        "Body text",
        "https://example.com/x",
    )
    assert a.published == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert (a.source, a.language) == ("analyst-desk", "en")


def test_json_without_id_uses_the_canonical_url():
    [a] = parse("x.json", '[{"title": "T", "url": "https://example.com/a#frag"}]').articles
    assert a.id == stable_id("https://example.com/a")


def test_jsonl_bad_lines_and_entries_are_rejected_the_rest_kept():
    lines = "\n".join(
        [
            '{"title": "First", "body": "one"}',
            "{not json",
            "[1, 2]",
            '{"title": "", "body": ""}',
            '{"title": "Second"}',
            "",
        ]
    )
    result = parse("batch.jsonl", lines)
    assert [a.title for a in result.articles] == ["First", "Second"]
    assert [r.reason.split(":")[0] for r in result.rejects] == [
        "invalid_json",
        "not_an_object",
        "empty_entry",
    ]
    assert result.rejects[0].payload == "{not json"
    assert result.error is None


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("b.txt", b"\x00\x01\x02\xff" * 100, "binary"),
        ("c.txt", bytes(range(1, 32)) * 20, "binary"),
        ("e.txt", b"   \n\n  ", "empty_document"),
        ("f.json", b"{broken", "invalid_json"),
        ("g.json", b"42", "invalid_json"),
        ("i.json", b"[]", "empty_document"),
        ("j.pdf", b"%PDF-1.4", "unsupported_type"),
        ("k", b"no suffix", "unsupported_type"),
        ("l.txt", b"x" * 2000, "too_large"),
        ("m.xml", b"<html>not a feed</html>", "not_a_feed"),
    ],
)
def test_bad_files_give_a_reason(name, data, reason):
    result = parse(name, data, max_bytes=1000)
    assert result.articles == []
    assert result.error is not None and result.error.split(":")[0] == reason


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_deeply_nested_json_is_refused_not_a_crash(name):
    result = parse(name, b"[" * 100_000 + b"]" * 100_000)
    assert result.articles == []
    reasons = [result.error] if result.error else [r.reason for r in result.rejects]
    assert [r.split(":")[0] for r in reasons] == ["invalid_json"]


def test_encodings_utf8_bom_utf16_and_cp1252():
    assert parse("a.txt", "\ufeffTitel\nStraße".encode()).articles[0].title == "Titel"
    [b] = parse("b.txt", "Überschrift\nText".encode("utf-16")).articles
    assert b.title == "Überschrift"
    [c] = parse("c.txt", b"Caf\xe9 \x96 news\nbody").articles
    assert c.title == "Café – news"


def test_feed_files_are_parsed_as_feeds():
    rss = (
        "<rss version='2.0'><channel><title>t</title><item><title>Story</title>"
        "<link>https://x.example/1</link></item></channel></rss>"
    )
    [a] = parse("drop.xml", rss).articles
    assert a.url == "https://x.example/1"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("junk", ["<title>", "<html lang=", "<div>", "<script>"])
def test_hostile_html_files_are_read_in_bounded_time(junk):
    page = "<html><head><title>Real title</title></head><body><p>Body</p>" + junk * 300_000
    result = parse("hostile.html", page, max_bytes=10_000_000)
    assert result.error is None
    [a] = result.articles
    assert a.title == "Real title"
    assert a.body.startswith("Body")
