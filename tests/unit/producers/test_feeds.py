"""Feed documents written for the tests (tests/fixtures/feeds/) through the parser."""

import resource
from datetime import UTC, datetime
from pathlib import Path

import pytest

from producers.feeds import parse_feed, unsafe_entities

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def parse(name: str, **kw):
    return parse_feed((FEEDS / name).read_bytes(), source=name, now=NOW, **kw)


def test_wire_feed_entries_are_normalised():
    result = parse("wire-rss.xml")
    assert result.error is None and result.warning is None
    by_title = {a.title: a for a in result.articles}
    strike = by_title["Drone strike hits fuel depot near Kharkiv & rail yard"]
    assert strike.url == "https://wire.example.com/world/2026/11/24/drone-strike-kharkiv?id=4411"
    assert strike.published == datetime(2026, 11, 24, 12, 5, tzinfo=UTC), "+0200 made UTC"
    assert strike.body == (
        "A drone struck a fuel depot overnight, officials said.\n\n"
        "Two workers were wounded. Fire crews worked until dawn."
    ), "tags, script and &nbsp; gone, paragraphs kept"
    assert strike.language == "en", "from the channel's en-us"
    talks = by_title["Ceasefire talks resume in Doha"]
    assert talks.url == "https://wire.example.com/world/2026/11/24/ceasefire-talks"
    assert talks.published == datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
    assert "Hostage exchange\nAid corridors" in talks.body, "content:encoded wins over description"
    assert by_title["Markets steady as oil slips"].published is None, "no date: None, not now"
    assert by_title["Placeholder from the future"].published is None, "year 2100 is not a date"
    assert all(a.fetched == NOW for a in result.articles)


def test_an_empty_item_is_rejected_with_its_payload():
    result = parse("wire-rss.xml")
    assert len(result.articles) == 4
    [reject] = result.rejects
    assert reject.reason.startswith("empty_entry:")
    assert reject.payload.startswith("{")


def test_the_same_story_in_two_feeds_has_one_id():
    wire = {a.title: a.id for a in parse("wire-rss.xml").articles}
    [agg] = parse("aggregator-rss.xml").articles
    assert agg.id == wire["Ceasefire talks resume in Doha"], "same canonical URL, other GUID"
    again = {a.title: a.id for a in parse("wire-rss.xml").articles}
    assert again == wire, "the same poll twice gives the same ids"


def test_atom_with_language_xml_base_and_guid_only_entries():
    result = parse("ministry-atom.xml")
    first, second = result.articles
    assert first.title == "Déclaration sur les frappes de la nuit"
    assert first.url == "https://ministere.example.fr/communiques/2026/frappes-nuit", "xtor gone"
    assert first.published == datetime(2026, 11, 24, 6, 45, tzinfo=UTC), "updated, made UTC"
    assert first.language == "fr"
    assert second.url is None
    assert second.body == "Le ministre s'est entretenu avec son homologue."
    assert second.id != first.id


def test_language_is_detected_when_the_feed_does_not_say():
    langs = [a.language for a in parse("nolang-rss.xml").articles]
    assert langs == ["de", "es"]


def test_wrong_declared_encoding_is_recovered_with_a_warning():
    result = parse("wrong-encoding.xml")
    [article] = result.articles
    assert article.title == "Grüße aus Köln – der Bericht"
    assert result.warning is not None and result.warning.startswith("wrong_encoding:")


def test_a_truncated_feed_keeps_its_complete_items():
    result = parse("truncated-rss.xml")
    assert [a.title for a in result.articles] == [
        "Shelling reported overnight in the border villages"
    ]
    assert result.warning is not None and result.warning.startswith("malformed_xml:")


@pytest.mark.parametrize("name", ["billion-laughs.xml", "quadratic-blowup.xml"])
def test_entity_bombs_are_refused_before_parsing(name):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = parse(name)
    assert result.articles == []
    assert result.error is not None and result.error.startswith("xml_entity_bomb:")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50, f"memory grew by {grown_mb:.0f} MB"


def test_entity_check_sees_utf16_documents_and_lets_harmless_ones_pass():
    bomb = (FEEDS / "quadratic-blowup.xml").read_text()
    assert unsafe_entities(bomb.encode("utf-16")) is not None
    assert unsafe_entities(b'<!DOCTYPE rss [<!ENTITY nbsp "&#160;">]><rss/>') is None
    assert unsafe_entities(b"<rss version='2.0'></rss>") is None


def test_external_entities_are_not_resolved():
    result = parse("xxe.xml")
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    for article in result.articles:
        assert "&xxe" in article.title or article.title == "Before after"
        if hostname:
            assert hostname not in article.title


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_document"),
        (b"   \n ", "empty_document"),
        (b"<html><body><p>Not a feed</p></body></html>", "not_a_feed"),
        (b"<rss version='2.0'><channel><item><title>x</ti", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "malformed_xml"),
    ],
)
def test_documents_that_are_not_feeds_give_a_reason(data, reason):
    result = parse_feed(data, source="t", now=NOW)
    if reason is None:
        assert result.articles or result.rejects or result.error
    else:
        assert result.error is not None and result.error.split(":")[0] == reason


def test_too_many_entries_are_capped_with_a_reject():
    items = "".join(
        f"<item><title>Story {i}</title><link>https://x.example/{i}</link></item>"
        for i in range(30)
    )
    data = f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()
    result = parse_feed(data, source="t", now=NOW, max_entries=10)
    assert len(result.articles) == 10
    assert [r.reason.split(":")[0] for r in result.rejects] == ["too_many_entries"]


def test_relative_links_use_the_feed_url_as_base():
    data = (
        b"<rss version='2.0'><channel><title>t</title><item><title>Story</title>"
        b"<link>/news/story-1?utm_source=rss</link></item></channel></rss>"
    )
    [article] = parse_feed(
        data, source="t", now=NOW, base_url="https://site.example/feeds/rss.xml"
    ).articles
    assert article.url == "https://site.example/news/story-1"


def test_photo_captions_never_replace_the_item_text():
    """media:description after, before, inside a group and under another prefix."""
    bodies = {a.title: a.body for a in parse("captions-rss.xml").articles}
    assert bodies["City council approves new tram line"] == (
        "The vote passed 31 to 12 after a five-hour debate."
    ), "caption after the description: feedparser files it as content"
    assert bodies["Storm closes schools across the region"] == (
        "More than 200 schools were shut on Tuesday as winds reached 120 km/h."
    ), "caption first: feedparser makes it the summary and the description the content"
    assert bodies["Museum reopens after renovation"] == "The east wing had been closed since 2023."
    assert bodies["Harbour festival draws record crowd"] == (
        "Organisers counted 80,000 visitors over the weekend."
    ), "any prefix bound to the Media RSS namespace"
    assert bodies["Photos of the week"] == "", "a caption alone is not the item's text"


def test_feeds_without_captions_keep_content_over_summary():
    from producers.feeds import media_captions

    assert media_captions((FEEDS / "wire-rss.xml").read_bytes()) == frozenset()
    bodies = {a.title: a.body for a in parse("wire-rss.xml").articles}
    assert "Hostage exchange" in bodies["Ceasefire talks resume in Doha"]


NYT = Path(__file__).resolve().parents[4] / "shared/corpora/feeds/nyt-top-stories-2023-11-24.xml"


@pytest.mark.skipif(not NYT.is_file(), reason=f"real NYT feed not found at {NYT}")
def test_real_nyt_items_keep_their_description_not_the_photo_caption():
    import xml.etree.ElementTree as ET  # noqa: S405 - a trusted local file, not network input

    from producers.normalize import canonical_url

    data = NYT.read_bytes()
    media = "{http://search.yahoo.com/mrss/}description"
    expected, captioned = {}, 0
    for item in ET.fromstring(data).iter("item"):  # noqa: S314
        link = canonical_url(item.findtext("link") or "")
        expected[link] = (item.findtext("description") or "").strip()
        captioned += item.find(media) is not None
    assert captioned >= 15, "most NYT items carry a photo caption"
    articles = parse_feed(data, source="nyt", now=NOW).articles
    assert len(articles) == len(expected) == 25
    for article in articles:
        assert article.body == expected[article.url], article.title


def test_a_feeds_link_back_line_is_not_part_of_the_body():
    data = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Drone strike hits depot</title><link>https://rt.example/a</link>
    <description>A drone hit a fuel depot overnight, officials said.
Read Full Article at RT.com</description></item>
    <item><title>Court reads out verdict</title><link>https://rt.example/b</link>
    <description>The judge read the full verdict aloud.</description></item>
    </channel></rss>"""
    bodies = {a.title: a.body for a in parse_feed(data, source="t", now=NOW).articles}
    depot = "A drone hit a fuel depot overnight, officials said."
    assert bodies["Drone strike hits depot"] == depot
    assert bodies["Court reads out verdict"] == "The judge read the full verdict aloud."
