"""Full text in the producer service, without a broker: the outbox is read back.

A feed with ``full_text: true`` links to pages on a local server: its items are queued at once
with their summaries; a page with an article becomes an update under the same id; a paywall, a 404
and a robots.txt refusal leave the summary and are counted by reason.
"""

from pathlib import Path

from prometheus_client import CollectorRegistry

from escmon.models import Article
from escmon.settings import Settings
from producers.service import ProducerService
from tests.integration.pageserver import PageServer

PARAGRAPHS = "".join(
    f"<p>Artillery shells hit berth {n} of the port of Odesa overnight, killing {n} dock workers "
    f"and wounding {n + 10} others, the regional governor said on Sunday morning.</p>"
    for n in range(2, 6)
)
ARTICLE = (
    "<html><head><title>Port shelled</title></head><body><nav><a href='/'>Home</a></nav>"
    f"<article><h1>Port shelled</h1>{PARAGRAPHS}<p>Loading resumes on Monday.</p></article>"
    "<footer>Copyright Example News</footer></body></html>"
).encode()
PAYWALL = (
    b"<html><head><title>Port</title></head><body><article><p>Artillery hit the port.</p>"
    b"<div class='paywall'>Subscribe to continue reading.</div></article></body></html>"
)


def rss(base: str, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{base}{path}</link>"
        f"<description>Artillery hit the port overnight ({i}).</description></item>"
        for i, path in enumerate(paths)
    )
    return f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()


def make_service(tmp_path: Path, feed_url: str, full_text: bool = True) -> ProducerService:
    settings = Settings(
        state_dir=tmp_path / "state",
        producers={
            "inbox": None,
            "feeds": [{"name": "wire", "url": feed_url, "full_text": full_text}],
            "article_fetch": {"allow_networks": ["127.0.0.0/8"], "delay": 0.0, "timeout": 3.0},
        },
        metrics={"producer_port": 0},
    )
    return ProducerService(settings, CollectorRegistry())


def records(service: ProducerService, kind: str) -> list[Article]:
    return [Article.from_bytes(p.payload) for p in service.store.pending(10_000) if p.kind == kind]


def sample(service: ProducerService, name: str, **labels: str) -> float:
    return service.registry.get_sample_value(name, labels) or 0.0


async def test_summaries_at_once_then_one_full_text_update_per_article(tmp_path):
    import aiohttp

    with PageServer() as srv:
        srv.page("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
        srv.page("/news/port", ARTICLE)
        srv.page("/news/paywalled", PAYWALL)
        srv.page("/private/memo", ARTICLE)
        paths = ["/news/port", "/news/paywalled", "/news/gone", "/private/memo"]
        feed = srv.page("/feed.xml", rss(srv.base, paths), "application/rss+xml")
        service = make_service(tmp_path, feed)
        async with aiohttp.ClientSession() as session:
            assert await service.poll(service.settings.producers.feeds[0], session)
            summaries = records(service, "article")
            # Queued before any page was read: a page never delays its item.
            assert len(summaries) == 4
            assert all(not a.full_text for a in summaries)
            assert service.pages is not None
            assert await service.pages.join(timeout=30)
            assert await service.poll(service.settings.producers.feeds[0], session)
            assert await service.pages.join(timeout=30)
        await service.pages.close()
    [update] = records(service, "update")
    port = next(a for a in summaries if a.url and a.url.endswith("/news/port"))
    assert update.id == port.id
    assert update.full_text and update.summary == port.body
    assert "Loading resumes on Monday." in update.body
    assert "Copyright" not in update.body
    assert sample(service, "escmon_fulltext_pages_fetched_total", feed="wire") == 2
    assert sample(service, "escmon_fulltext_pages_extracted_total", feed="wire") == 1
    assert sample(service, "escmon_fulltext_robots_refused_total", feed="wire") == 1
    for reason in ("paywall", "http_404"):
        assert sample(service, "escmon_fulltext_failures_total", feed="wire", reason=reason) == 1
    # The second poll found nothing new: no page asked twice.
    assert len(srv.hits_of("/news/port")) == 1
    service.store.close()


async def test_feeds_without_full_text_fetch_no_page(tmp_path):
    import aiohttp

    with PageServer() as srv:
        srv.page("/news/port", ARTICLE)
        feed = srv.page("/feed.xml", rss(srv.base, ["/news/port"]), "application/rss+xml")
        service = make_service(tmp_path, feed, full_text=False)
        async with aiohttp.ClientSession() as session:
            assert await service.poll(service.settings.producers.feeds[0], session)
    assert service.pages is None
    assert srv.hits_of("/news/port") == []
    service.store.close()
