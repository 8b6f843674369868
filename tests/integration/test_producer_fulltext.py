"""Full text on the real broker: a feed whose items link to 25 real news pages and to bad ones.

A local server plays the news sites: the 25 pages of ``../shared/corpora/html-news`` at their
original URL paths (read in place), a robots.txt, and one page for each way a fetch can fail (a
robots.txt disallow, a slow host, a 404, a paywall, a PDF, a huge page, a redirect loop, a link
and a redirect to a private address). The producer process polls the feed with ``full_text`` on.
Every item must reach the raw topic once with its summary, plus at most one full-text update under
the same id; the updated bodies must meet the extraction bars; each failure must be counted by
its reason and leave its item with the summary.
"""

import urllib.request
from collections import Counter
from xml.sax.saxutils import escape

import pytest

from escmon.models import Article
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import wait_for
from tests.integration.kafka_util import read_topic
from tests.integration.pageserver import HTML_NEWS, PageServer, html_news_cases
from tests.integration.test_producer_feeds import metric

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (HTML_NEWS / "evaldata.json").is_file(),
        reason=f"real news pages not found at {HTML_NEWS} (../shared/corpora/html-news)",
    ),
]

PAYWALL = (
    b"<html><head><title>Members only</title></head><body><article><h1>Talks</h1>"
    b"<p>Negotiators met again on Tuesday.</p><div class='paywall'>Subscribe to continue "
    b"reading.</div></article></body></html>"
)
MAX_BYTES = 2_000_000  # the biggest real page is 1.4 MB


def rss(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>Summary: {escape(title)}.</description></item>"
        for title, link in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Sites</title>"
        f"<link>http://example.org/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


def test_items_link_to_real_pages_and_each_bad_kind_of_page(
    make_config, escmon_proc, kafka_bootstrap
):
    cases = html_news_cases()
    with PageServer() as srv:
        served = srv.html_news()
        port = srv.base.rsplit(":", 1)[1]
        srv.page("/robots.txt", b"User-agent: *\nDisallow: /members/\n", "text/plain")
        srv.page("/members/memo", b"<html><body><p>Internal memo.</p></body></html>")
        srv.slow("/slow/story", 4.0, b"<html><body><p>Too late.</p></body></html>")
        srv.page("/paywalled/talks", PAYWALL)
        srv.page("/report.pdf", b"%PDF-1.7 " + b"0" * 5000, "application/pdf")
        srv.page("/huge/story", b"<html><body>" + b"<p>war</p>" * 300_000 + b"</body></html>")
        srv.status("/loop/a", 302, "/loop/b")
        srv.status("/loop/b", 302, "/loop/a")
        srv.status("/go/internal", 302, f"http://127.0.0.2:{port}/admin")
        srv.page("/admin", b"<html><body><p>Secrets.</p></body></html>")
        bad = {
            "robots": srv.base + "/members/memo",
            "timeout": srv.base + "/slow/story",
            "http_404": srv.base + "/gone/story",
            "paywall": srv.base + "/paywalled/talks",
            "not_html": srv.base + "/report.pdf",
            "too_large": srv.base + "/huge/story",
            "redirect_loop": srv.base + "/loop/a",
            "refused_address": srv.base + "/go/internal",
            "refused_link": "http://10.255.255.1/story",
        }
        items = [(f"Real page {i}", local) for i, local in enumerate(served.values())]
        items += [(f"Bad page: {kind}", link) for kind, link in bad.items()]
        feed = srv.page("/feed.xml", rss(items), "application/rss+xml")
        path, cfg = make_config(
            producers={
                "inbox": None,
                "max_bytes": MAX_BYTES,
                "feeds": [{"name": "sites", "url": feed, "interval": 1.0, "full_text": True}],
                "article_fetch": {
                    # The test server's own address only: 127.0.0.2 and 10/8 stay refused.
                    "allow_networks": ["127.0.0.1/32"],
                    "delay": 0.05,
                    "timeout": 1.5,
                    "contact": "tests@example.org",
                },
            }
        )
        settings = load_settings(path)
        ensure_topics(settings)
        proc = escmon_proc("--config", str(path), "producer")
        metrics_port = cfg["metrics"]["producer_port"]

        def scrape() -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as r:
                return r.read().decode()

        def settled() -> bool:
            page = scrape()
            done = (
                metric(page, "escmon_fulltext_pages_extracted_total", feed="sites")
                + sum(
                    metric(page, "escmon_fulltext_failures_total", feed="sites", reason=r)
                    for r in (
                        "timeout",
                        "http_404",
                        "paywall",
                        "not_html",
                        "too_large",
                        "redirect_loop",
                        "refused_address",
                        "thin_text",
                        "nothing_new",
                    )
                )
                + metric(page, "escmon_fulltext_robots_refused_total", feed="sites")
            )
            return (
                done >= len(items)
                and metric(page, "escmon_fulltext_queued_pages") == 0
                and metric(page, "escmon_producer_pending_articles") == 0
                and len(srv.hits_of("/feed.xml")) >= 3
            )

        wait_for(settled, 240, "every page fetched or refused and the outbox drained")
        page = scrape()
        assert proc.stop() == 0, proc.output()[-3000:]

    raw = read_topic(kafka_bootstrap, settings.topics.raw, expect=len(items) + 25, timeout=60)
    records = [(r.key.decode(), Article.from_bytes(r.value)) for r in raw]
    assert all(key == a.id for key, a in records), "updates are keyed by the article id too"
    summaries = [a for _, a in records if not a.full_text]
    updates = [a for _, a in records if a.full_text]
    assert sorted(a.title for a in summaries) == sorted(t for t, _ in items), "each item once"
    per_id = Counter(a.id for a in updates)
    assert max(per_id.values()) == 1, "at most one full-text update per article"
    assert set(per_id) <= {a.id for a in summaries}, "an update is of a published article"

    # The bodies of the real pages after their update: the extraction bars, on the wire.
    by_url = {a.url: a for a in updates}
    right = leaked = 0
    for url, local in served.items():
        article = by_url.get(local)
        assert article is not None, f"no full text for {url}"
        case = cases[url]
        assert article.summary == f"Summary: {article.title}."
        missing = [s for s in case["with"] if s not in article.body]
        found = [s for s in case["without"] if s in article.body]
        right += not missing and not found
        leaked += len(found)
    assert right >= 20 and leaked <= 8, (right, leaked)

    # Every bad page left its item with the summary, counted by its reason.
    assert not {a.url for a in updates} & set(bad.values())
    assert metric(page, "escmon_fulltext_robots_refused_total", feed="sites") == 1
    for reason, count in [
        ("timeout", 1),
        ("http_404", 1),
        ("paywall", 1),
        ("not_html", 1),
        ("too_large", 1),
        ("redirect_loop", 1),
        ("refused_address", 2),
    ]:
        got = metric(page, "escmon_fulltext_failures_total", feed="sites", reason=reason)
        assert got == count, (reason, got)
    assert metric(page, "escmon_fulltext_pages_extracted_total", feed="sites") == 25
    assert metric(page, "escmon_fulltext_updates_published_total", source="sites") == 25
    assert srv.hits_of("/members/memo") == [] and srv.hits_of("/admin") == []
    assert all("tests@example.org" in h.user_agent for h in srv.hits if h.path != "/feed.xml")
    robots = srv.hits_of("/robots.txt")
    assert len(robots) == 1, "robots.txt read once for the host"
