"""Main text of whole pages: trafilatura behind the linear guard, with fallbacks.

The score on real news pages (``../shared/corpora/html-news``, read in place) is asserted against
the issue's bars when the folder is there, and skipped with a reason when it is not.
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from producers.extraction import PAGE_MAX_TAGS, _json_ld_body, extract_main
from producers.extraction_eval import score

TESTS = Path(__file__).resolve().parents[2]
HTML_NEWS = TESTS.parent.parent / "shared" / "corpora" / "html-news"
NOW = datetime(2026, 11, 29, tzinfo=UTC)

ARTICLE = (
    "<p>Artillery shells hit the port of Odesa overnight, killing three dock workers and "
    "wounding eleven others, the regional governor said on Sunday morning.</p>"
    "<p>Rescue teams were still searching the warehouses at dawn, and the harbour master said "
    "grain loading would resume only once the damage had been surveyed by engineers.</p>"
    "<p>It was the third attack on the port this month, after strikes on 4 and 11 November.</p>"
)


def page(body: str, head: str = "<title>Port shelled - Example News</title>") -> str:
    nav = "".join(f"<li><a href='/s{i}'>Other story headline {i}</a></li>" for i in range(12))
    return (
        f"<html lang='en'><head>{head}</head><body><nav><ul>{nav}</ul></nav>"
        f"<article><h1>Port shelled</h1>{body}</article>"
        "<div class='newsletter-signup'><p>Get our daily briefing by email every morning, "
        "sign up now for free and never miss a story.</p></div>"
        "<footer><p>Copyright Example News. All rights reserved. Terms of use.</p></footer>"
        "</body></html>"
    )


def test_main_text_without_navigation_newsletter_or_footer():
    found = extract_main(page(ARTICLE), now=NOW)
    assert found.method == "trafilatura"
    assert "killing three dock workers" in found.text
    assert "strikes on 4 and 11 November" in found.text
    assert "Other story headline" not in found.text
    assert "daily briefing" not in found.text
    assert "All rights reserved" not in found.text
    assert found.title == "Port shelled - Example News"
    # Paragraphs are separated by a blank line, like every other producer text.
    assert "\n\n" in found.text


def test_the_article_body_of_json_ld_when_the_page_renders_it_by_script():
    body = "Troops crossed the border at dawn. " * 40
    head = (
        "<title>Crossing</title><script type='application/ld+json'>"
        '{"@context":"https://schema.org","@type":"NewsArticle",'
        f'"articleBody":"{body}"}}</script>'
    )
    found = extract_main(page("<div id='app'></div>", head), now=NOW)
    assert found.text.startswith("Troops crossed the border at dawn.")
    assert len(found.text) > 1000


def test_json_ld_bodies_of_article_types_only_nested_or_not():
    graph = (
        "<script type='application/ld+json'>"
        '{"@graph":[{"@type":"Product","articleBody":"Buy now"},'
        '{"@type":["OpinionNewsArticle"],"articleBody":"Lam &amp; Tsai compared"}]}</script>'
        "<script type='application/ld+json'>{broken</script>"
    )
    assert _json_ld_body(graph) == "Lam & Tsai compared"
    product = '<script type="application/ld+json">{"@type":"Product","articleBody":"x"}</script>'
    assert _json_ld_body(product) == ""


def test_json_ld_body_wins_only_when_much_longer_than_the_main_text():
    head = (
        "<title>t</title><script type='application/ld+json'>"
        '{"@type":"NewsArticle","articleBody":"A short standfirst."}</script>'
    )
    assert extract_main(page(ARTICLE, head), now=NOW).method == "trafilatura"


def test_nothing_found_falls_back_to_the_readable_page_text():
    found = extract_main("<html><body><footer>Shelling near Kherson</footer></body></html>")
    assert (found.method, found.text) == ("fallback", "Shelling near Kherson")


def test_hostile_nesting_is_stripped_linearly_not_parsed():
    hostile = "<div>" * (PAGE_MAX_TAGS + 10) + "Shelling reported" + "</div>" * 10
    found = extract_main(hostile, now=NOW)
    assert found.method == "fallback"
    assert "Shelling reported" in found.text


@pytest.mark.parametrize("junk", [b"", b"\xff\xfe\x00garbage", b"<<<>>>", b"<html></html>"])
def test_junk_never_raises(junk):
    found = extract_main(junk, now=NOW)
    assert isinstance(found.text, str)


def test_future_dates_are_not_believed():
    head = "<title>t</title><meta property='article:published_time' content='2031-01-01'>"
    assert extract_main(page(ARTICLE, head), now=NOW).date is None


@pytest.mark.skipif(
    not (HTML_NEWS / "evaldata.json").is_file(),
    reason=f"real news pages not found at {HTML_NEWS} (../shared/corpora/html-news)",
)
def test_score_on_real_news_pages_meets_the_bars():
    result = score(HTML_NEWS)
    wrong = {p.file: (p.missing, p.leaked) for p in result.pages if not p.right}
    assert len(result.pages) == 25
    assert result.right >= 20, wrong
    assert result.boilerplate == 76
    assert result.leaked <= 8, wrong
