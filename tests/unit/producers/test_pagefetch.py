"""Fetching the page behind a feed item, against a local HTTP server (no broker needed).

Each case the issue names has a test here: robots.txt disallow, a slow host, 404, a non-HTML
answer, a huge page, a redirect loop, and a link or a redirect to a private address. Timing is
never asserted as speed; only the order of requests and the politeness gaps (lower bounds).
"""

import asyncio
import socket
from ipaddress import ip_network

import pytest

from escmon.settings import ArticleFetchSettings
from producers.pagefetch import GuardedResolver, HostQueues, Job, Page, PageFetcher, allowing
from tests.integration.pageserver import PageServer

ARTICLE = b"<html><head><title>t</title></head><body><p>Shelling in Kherson.</p></body></html>"


def settings(**overrides) -> ArticleFetchSettings:
    base = {
        "allow_networks": ["127.0.0.0/8"],
        "delay": 0.0,
        "timeout": 5.0,
        "contact": "ops@example.org",
    }
    return ArticleFetchSettings(**{**base, **overrides})


@pytest.fixture
def srv():
    with PageServer() as server:
        yield server


async def fetch(url: str, max_bytes: int = 100_000, **overrides) -> Page:
    fetcher = PageFetcher(settings(**overrides), max_bytes=max_bytes)
    try:
        return await fetcher.fetch(url)
    finally:
        await fetcher.close()


async def test_an_html_page_is_fetched_with_a_user_agent_naming_a_contact(srv):
    url = srv.page("/world/kherson", ARTICLE)
    page = await fetch(url)
    assert (page.status, page.data, page.url) == ("ok", ARTICLE, url)
    [hit] = srv.hits_of("/world/kherson")
    assert hit.user_agent.startswith("escalation-monitor/")
    assert "ops@example.org" in hit.user_agent


async def test_robots_txt_disallow_is_honoured_and_read_once_per_host(srv):
    srv.page("/robots.txt", b"User-agent: escalation-monitor\nDisallow: /private/\n", "text/plain")
    allowed = srv.page("/news/a", ARTICLE)
    barred = srv.page("/private/b", ARTICLE)
    fetcher = PageFetcher(settings(), max_bytes=100_000)
    try:
        assert (await fetcher.fetch(barred)).status == "robots"
        assert (await fetcher.fetch(allowed)).status == "ok"
        assert (await fetcher.fetch(barred)).status == "robots"
    finally:
        await fetcher.close()
    assert srv.hits_of("/private/b") == []
    assert len(srv.hits_of("/robots.txt")) == 1


async def test_a_missing_robots_txt_allows_and_a_failing_one_disallows(srv):
    url = srv.page("/news/a", ARTICLE)
    assert (await fetch(url)).status == "ok"  # /robots.txt answers 404
    srv.status("/robots.txt", 503)
    page = await fetch(url)
    assert page.status == "robots"  # RFC 9309: an unreachable robots.txt disallows all


async def test_one_request_at_a_time_per_host_with_the_delay_between(srv):
    urls = [srv.slow(f"/news/{i}", 0.1, ARTICLE) for i in range(3)]
    fetcher = PageFetcher(settings(delay=0.3), max_bytes=100_000)
    try:
        pages = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
    finally:
        await fetcher.close()
    assert [p.status for p in pages] == ["ok"] * 3
    hits = sorted((h for h in srv.hits if h.path.startswith("/news/")), key=lambda h: h.started)
    for before, after in zip(hits, hits[1:], strict=False):
        assert after.started >= before.ended, "two requests to one host overlapped"
        assert after.started - before.ended >= 0.25, "the per-host delay was not kept"


async def test_a_robots_crawl_delay_longer_than_ours_wins(srv):
    srv.page("/robots.txt", b"User-agent: *\nCrawl-delay: 1\n", "text/plain")
    urls = [srv.page(f"/news/{i}", ARTICLE) for i in range(2)]
    fetcher = PageFetcher(settings(delay=0.0), max_bytes=100_000)
    try:
        for url in urls:
            assert (await fetcher.fetch(url)).status == "ok"
    finally:
        await fetcher.close()
    first, second = srv.hits_of("/news/0")[0], srv.hits_of("/news/1")[0]
    assert second.started - first.ended >= 0.9


async def test_a_slow_host_times_out_and_holds_up_only_its_own_pages(srv):
    with PageServer() as other:
        slow = srv.slow("/slow", 3.0, ARTICLE)
        slow_next = srv.page("/after-slow", ARTICLE)
        fast = other.page("/fast", ARTICLE)
        done: list[tuple[str, Page]] = []

        async def on_page(job: Job, page: Page) -> None:
            done.append((job.payload, page))

        queues = HostQueues(
            PageFetcher(settings(timeout=1.0), max_bytes=100_000), on_page, max_queue=10
        )
        for name, url in [("slow", slow), ("slow_next", slow_next), ("fast", fast)]:
            assert queues.submit(Job(url, name))
        assert await queues.join(timeout=20)
        await queues.close()
    order = [name for name, _ in done]
    assert order.index("fast") < order.index("slow")
    result = dict(done)
    assert result["slow"].status == "failed"
    assert result["slow"].reason.startswith("timeout")
    assert result["slow_next"].status == "ok"


async def test_http_errors_are_failures_with_the_status(srv):
    page = await fetch(srv.base + "/gone")
    assert (page.status, page.reason) == ("failed", "http_404")
    srv.status("/broken", 500)
    assert (await fetch(srv.base + "/broken")).reason == "http_500"


async def test_a_non_html_answer_is_not_read(srv):
    url = srv.page("/report.pdf", b"%PDF-1.7 " + b"x" * 1000, "application/pdf")
    page = await fetch(url)
    assert (page.status, page.reason) == ("failed", "not_html: application/pdf")


async def test_a_huge_page_is_refused_by_the_size_cap(srv):
    url = srv.page("/huge", b"<p>" + b"war " * 50_000 + b"</p>")
    page = await fetch(url, max_bytes=10_000)
    assert page.status == "failed"
    assert page.reason.startswith("too_large")


async def test_a_redirect_loop_and_a_long_chain_are_stopped(srv):
    srv.status("/a", 302, "/b")
    srv.status("/b", 301, "/a")
    page = await fetch(srv.base + "/a")
    assert page.reason.startswith("redirect_loop")
    for i in range(8):
        srv.status(f"/hop{i}", 302, f"/hop{i + 1}")
    page = await fetch(srv.base + "/hop0", max_redirects=3)
    assert page.reason.startswith("too_many_redirects")
    assert srv.hits_of("/hop4") == []


async def test_a_redirect_is_followed_to_the_page(srv):
    srv.status("/short", 301, "/world/kherson")
    url = srv.page("/world/kherson", ARTICLE)
    page = await fetch(srv.base + "/short")
    assert (page.status, page.url) == ("ok", url)


async def test_links_to_loopback_are_refused_by_address_and_by_name(srv):
    srv.page("/admin", ARTICLE)
    port = srv.base.rsplit(":", 1)[1]
    for url in (f"http://127.0.0.1:{port}/admin", f"http://localhost:{port}/admin"):
        page = await fetch(url, allow_networks=[])
        assert (page.status, page.reason) == ("failed", "refused_address: loopback"), url
    assert srv.hits_of("/admin") == []


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://127.0.0.2:{port}/admin", "refused_address: loopback"),
        ("http://169.254.169.254/latest/meta-data/", "refused_address: metadata"),
        ("http://10.0.0.1/", "refused_address: private"),
        ("http://[::1]:{port}/admin", "refused_address: loopback"),
    ],
)
async def test_a_redirect_to_a_private_address_is_refused(srv, target, reason):
    port = srv.base.rsplit(":", 1)[1]
    srv.status("/go", 302, target.format(port=port))
    # Only the test server's own address is allowed, as a test config would allow it.
    page = await fetch(srv.base + "/go", allow_networks=["127.0.0.1/32"])
    assert (page.status, page.reason) == ("failed", reason)
    assert len(srv.hits_of("/go")) == 1
    assert srv.hits_of("/admin") == []


def test_allowed_networks_open_only_themselves():
    guard = allowing([ip_network("127.0.0.1/32"), ip_network("fd00::/8")])
    assert guard("127.0.0.1") is None
    assert guard("fd12::1") is None
    assert guard("127.0.0.2") == "loopback"
    assert guard("10.0.0.1") == "private"
    assert guard("93.184.216.34") is None
    assert allowing([])("127.0.0.1") == "loopback"


async def test_the_resolver_drops_refused_addresses_and_refuses_when_none_is_left():
    class Fake:
        def __init__(self, addresses):
            self.addresses = addresses

        async def resolve(self, host, port=0, family=socket.AF_INET):
            return [
                {
                    "hostname": host,
                    "host": a,
                    "port": port,
                    "family": family,
                    "proto": 0,
                    "flags": 0,
                }
                for a in self.addresses
            ]

    resolver = GuardedResolver()
    resolver._inner = Fake(["10.1.2.3", "93.184.216.34"])
    assert [r["host"] for r in await resolver.resolve("mixed.example", 80)] == ["93.184.216.34"]
    resolver._inner = Fake(["169.254.169.254"])
    with pytest.raises(OSError, match="metadata"):
        await resolver.resolve("rebind.example", 80)


async def test_the_queue_is_bounded(srv):
    async def on_page(job: Job, page: Page) -> None:
        return None

    queues = HostQueues(PageFetcher(settings(), max_bytes=1000), on_page, max_queue=2)
    url = srv.slow("/slow", 0.5, ARTICLE)
    assert queues.submit(Job(url, 1)) and queues.submit(Job(url, 2))
    assert not queues.submit(Job(url, 3))
    await queues.close()
