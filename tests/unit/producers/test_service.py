"""The producer service without a broker: polling, 304s, dead letters, backoff, config reload.

A local aiohttp server plays the feeds; the outbox (SQLite) is read back instead of Kafka.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
import yaml
from aiohttp import web
from prometheus_client import CollectorRegistry

from escmon.models import Article, DeadLetter, utcnow
from escmon.settings import FeedSettings, Settings, load_settings
from producers.service import ProducerService
from producers.store import Store

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"


@dataclass
class FeedServer:
    base: str = ""
    hits: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, bytes] = field(default_factory=dict)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    state = FeedServer()

    async def handler(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        state.hits[name] = state.hits.get(name, 0) + 1
        if name == "broken":
            return web.Response(status=503, reason="Service Unavailable")
        body = state.bodies.get(name) or (FEEDS / name).read_bytes()
        etag = f'"{hash(body)}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        return web.Response(body=body, headers={"ETag": etag})

    async def plain(request: web.Request) -> web.Response:
        # A server without validators: the same bytes every time.
        state.hits["plain"] = state.hits.get("plain", 0) + 1
        return web.Response(body=(FEEDS / "wire-rss.xml").read_bytes())

    app = web.Application()
    app.router.add_get("/plain", plain)
    app.router.add_get("/{name}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    state.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield state
    await runner.cleanup()


def make_service(
    tmp_path: Path, feeds: list[dict], *, now: Callable[[], datetime] = utcnow, **producers
) -> ProducerService:
    settings = Settings(
        state_dir=tmp_path / "state",
        producers={"inbox": None, "feeds": feeds, **producers},
        metrics={"producer_port": 0},
    )
    return ProducerService(settings, CollectorRegistry(), now=now)


def outbox(service: ProducerService, kind: str) -> list:
    rows = [p for p in service.store.pending(10_000) if p.kind == kind]
    parse = Article.from_bytes if kind == "article" else DeadLetter.from_bytes
    return [parse(p.payload) for p in rows]


def sample(service: ProducerService, name: str, **labels: str) -> float:
    return service.registry.get_sample_value(name, labels or None) or 0.0


async def test_304_costs_no_parse_and_nothing_is_queued_twice(tmp_path, server):
    service = make_service(tmp_path, [{"name": "wire", "url": f"{server.base}/wire-rss.xml"}])
    feed = service.settings.producers.feeds[0]
    async with aiohttp.ClientSession() as session:
        assert await service.poll(feed, session)
        assert await service.poll(feed, session)
    assert server.hits["wire-rss.xml"] == 2
    assert sample(service, "escmon_feed_not_modified_total", feed="wire") == 1
    assert sample(service, "escmon_producer_entries_seen_total", source="wire") == 4, "parsed once"
    assert len(outbox(service, "article")) == 4
    [dead] = outbox(service, "deadletter")
    assert dead.reason.startswith("empty_entry") and dead.source == "wire"


async def test_same_bytes_without_validators_are_not_parsed_again(tmp_path, server):
    service = make_service(tmp_path, [{"name": "plain", "url": f"{server.base}/plain"}])
    feed = service.settings.producers.feeds[0]
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            assert await service.poll(feed, session)
    assert server.hits["plain"] == 3
    assert sample(service, "escmon_feed_fetches_total", feed="plain", status="unchanged") == 2
    assert sample(service, "escmon_producer_entries_seen_total", source="plain") == 4


async def test_validators_and_seen_set_survive_a_restart(tmp_path, server):
    feeds = [{"name": "wire", "url": f"{server.base}/wire-rss.xml"}]
    first = make_service(tmp_path, feeds)
    async with aiohttp.ClientSession() as session:
        await first.poll(first.settings.producers.feeds[0], session)
        first.store.acknowledged(first.store.pending(100))  # as if the broker took them
        first.store.close()
        second = make_service(tmp_path, feeds)
        server.bodies["wire-rss.xml"] = (FEEDS / "wire-rss.xml").read_bytes() + b"\n"
        assert await second.poll(second.settings.producers.feeds[0], session)
    assert sample(second, "escmon_producer_duplicates_total") == 4, "new bytes, same stories"
    assert second.store.pending_count() == 0, "the dead letter is not sent again either"


async def test_the_same_story_from_two_feeds_is_queued_once(tmp_path, server):
    service = make_service(
        tmp_path,
        [
            {"name": "wire", "url": f"{server.base}/wire-rss.xml"},
            {"name": "agg", "url": f"{server.base}/aggregator-rss.xml"},
        ],
    )
    async with aiohttp.ClientSession() as session:
        for feed in service.settings.producers.feeds:
            await service.poll(feed, session)
    titles = [a.title for a in outbox(service, "article")]
    assert titles.count("Ceasefire talks resume in Doha") == 1
    assert sample(service, "escmon_producer_duplicates_total") == 1


async def test_errors_are_counted_by_reason_and_dead_lettered_once(tmp_path, server, caplog):
    service = make_service(
        tmp_path,
        [
            {"name": "down", "url": f"{server.base}/broken"},
            {"name": "bomb", "url": f"{server.base}/quadratic-blowup.xml"},
        ],
    )
    down, bomb = service.settings.producers.feeds
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            assert not await service.poll(down, session)
            assert not await service.poll(bomb, session)
    assert sample(service, "escmon_feed_errors_total", feed="down", reason="http_503") == 3
    assert sample(service, "escmon_feed_errors_total", feed="bomb", reason="xml_entity_bomb") == 3
    [dead] = outbox(service, "deadletter")
    assert dead.reason.startswith("xml_entity_bomb") and dead.source == "bomb"
    assert dead.payload.startswith("<?xml")
    logged = [r.getMessage() for r in caplog.records if "down" in r.getMessage()]
    assert len(logged) == 1, "logged once while it stays broken"


async def test_polling_pauses_while_the_outbox_is_full(tmp_path, server):
    feeds = [
        {"name": "wire", "url": f"{server.base}/wire-rss.xml"},
        {"name": "agg", "url": f"{server.base}/aggregator-rss.xml"},
    ]
    service = make_service(tmp_path, feeds, max_pending=3)
    wire, agg = service.settings.producers.feeds
    async with aiohttp.ClientSession() as session:
        assert await service.poll(wire, session), "room at first"
        service._pending_checked = (float("-inf"), 0)  # count again now, not in a second
        assert not await service.poll(agg, session)
    assert "aggregator-rss.xml" not in server.hits, "not even fetched"
    assert sample(service, "escmon_feed_errors_total", feed="agg", reason="outbox_full") == 1
    assert service.store.validators(agg.url) == (None, None), "fetched in full next time"


def test_backoff_doubles_to_the_ceiling_with_jitter(tmp_path):
    service = make_service(tmp_path, [], backoff_max=600.0, jitter=0.1)
    feed = FeedSettings(name="f", url="http://x.example/", interval=60.0)
    for failures, base in [(0, 60), (1, 120), (2, 240), (3, 480), (4, 600), (20, 600)]:
        delays = [service.next_delay(feed, failures) for _ in range(50)]
        assert all(base * 0.9 <= d <= base * 1.1 for d in delays), (failures, min(delays))
        assert len(set(delays)) > 1, "jittered"
    slow = FeedSettings(name="s", url="http://x.example/", interval=7200.0)
    assert service.next_delay(slow, 5) <= 7200 * 1.1, "a long interval is never shortened"


async def test_feeds_follow_the_config_file_without_a_restart(tmp_path, server):
    config = tmp_path / "escmon.yaml"

    def write(feeds: list[dict]) -> None:
        data = {
            "state_dir": str(tmp_path / "state"),
            "producers": {"inbox": None, "feeds": feeds, "reload_interval": 0.1},
            "metrics": {"producer_port": 0},
        }
        config.write_text(yaml.safe_dump(data))

    wire = {"name": "wire", "url": f"{server.base}/wire-rss.xml", "interval": 3600}
    write([wire])
    service = ProducerService(load_settings(config), CollectorRegistry(), config=config)
    stop = asyncio.Event()
    async with aiohttp.ClientSession() as session:
        service.start_feeds(service.settings.producers.feeds, session, stop)
        watcher = asyncio.create_task(service.watch_config(session, stop))

        async def until(predicate, what: str) -> None:
            for _ in range(100):
                if predicate():
                    return
                await asyncio.sleep(0.05)
            pytest.fail(what)

        await until(lambda: server.hits.get("wire-rss.xml"), "first feed polled")
        agg = {"name": "agg", "url": f"{server.base}/aggregator-rss.xml", "interval": 3600}
        write([agg])
        await until(lambda: set(service._feed_tasks) == {"agg"}, "feed list reloaded")
        await until(lambda: server.hits.get("aggregator-rss.xml"), "new feed polled")
        config.write_text("producers: [not, a, mapping")  # broken: the running feeds go on
        await asyncio.sleep(0.4)
        assert set(service._feed_tasks) == {"agg"}
        stop.set()
        await watcher
        for _, task in service._feed_tasks.values():
            task.cancel()
    titles = [a.title for a in outbox(service, "article")]
    assert "Ceasefire talks resume in Doha" in titles


def test_inbox_files_are_read_once_and_bad_ones_dead_lettered(tmp_path):
    service = make_service(tmp_path, [], max_bytes=10_000)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = inbox / "batch.jsonl"
    good.write_text('{"title": "One", "body": "b"}\n{oops\n{"title": "Two"}\n')
    huge = inbox / "huge.txt"
    huge.write_bytes(b"A title\n" + b"x" * 50_000)
    binary = inbox / "image.txt"
    binary.write_bytes(bytes(range(256)) * 10)
    assert service.read_file(good, move=True)
    assert not service.read_file(huge, move=True)
    assert not service.read_file(binary, move=True)
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["batch.jsonl"]
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == ["huge.txt", "image.txt"]
    assert [a.title for a in outbox(service, "article")] == ["One", "Two"]
    dead = {d.reason.split(":")[0]: d for d in outbox(service, "deadletter")}
    assert set(dead) == {"invalid_json", "too_large", "binary"}
    assert dead["invalid_json"].payload == "{oops"
    assert dead["too_large"].source == str(huge)
    assert len(dead["too_large"].payload) <= service.settings.processors.deadletter_cap


def test_files_given_in_config_are_tracked_not_resent(tmp_path):
    service = make_service(tmp_path, [])
    path = tmp_path / "seed.md"
    path.write_text("# Seed\n\nBody.\n")
    assert service.read_file(path, move=False)
    service.store.acknowledged(service.store.pending(10))
    assert service.read_file(path, move=False)
    assert service.store.pending_count() == 0
    assert path.exists(), "files named in the config stay where they are"


async def test_a_recovered_feed_is_logged_once_but_counted_each_parse(tmp_path, server, caplog):
    service = make_service(tmp_path, [{"name": "cut", "url": f"{server.base}/truncated-rss.xml"}])
    feed = service.settings.producers.feeds[0]
    original = (FEEDS / "truncated-rss.xml").read_bytes()
    async with aiohttp.ClientSession() as session:
        for n in range(3):
            server.bodies["truncated-rss.xml"] = original + b" " * n  # changed: parsed again
            assert await service.poll(feed, session)
    counted = sample(service, "escmon_feed_errors_total", feed="cut", reason="malformed_xml")
    assert counted == 3
    assert sample(service, "escmon_feed_errors_total", feed="cut", reason="empty_entry") == 3
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("source cut:")]
    assert [line.split(": ")[1] for line in lines] == ["malformed_xml", "empty_entry"]
    assert len(outbox(service, "article")) == 1


async def test_a_feeds_region_hint_and_tags_ride_on_its_articles(tmp_path, server):
    service = make_service(
        tmp_path,
        [
            {
                "name": "wire",
                "url": f"{server.base}/wire-rss.xml",
                "region": "Middle East",
                "tags": ["wire", "en"],
            },
            {"name": "ministry", "url": f"{server.base}/ministry-atom.xml"},
        ],
    )
    async with aiohttp.ClientSession() as session:
        for feed in service.settings.producers.feeds:
            await service.poll(feed, session)
    by_source: dict[str, list[Article]] = {}
    for article in outbox(service, "article"):
        by_source.setdefault(article.source, []).append(article)
    assert by_source["wire"] and by_source["ministry"]
    assert {(a.region, tuple(a.tags)) for a in by_source["wire"]} == {
        ("Middle East", ("wire", "en"))
    }
    assert {(a.region, tuple(a.tags)) for a in by_source["ministry"]} == {(None, ())}


# --- the seen-set is pruned after producers.seen_ttl --------------------------------------


@dataclass
class FakeClock:
    """The service's ``now``, moved on by the test: days pass in no time."""

    t: datetime = field(default_factory=utcnow)

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **delta: float) -> None:
        self.t += timedelta(**delta)


WEEK = 7 * 86_400.0


def wire_service(tmp_path: Path, server: FeedServer, clock: FakeClock) -> ProducerService:
    """The wire feed on the local server, a week's ttl, and the fake clock."""
    return make_service(
        tmp_path, [{"name": "wire", "url": f"{server.base}/wire-rss.xml"}], now=clock, seen_ttl=WEEK
    )


def changed(server: FeedServer, name: str, n: int) -> None:
    """The feed's bytes change (so it is parsed again) while its items stay the same."""
    server.bodies[name] = (FEEDS / name).read_bytes() + b"\n" * n


async def test_ids_older_than_the_ttl_are_forgotten_and_newer_kept(tmp_path, server):
    clock = FakeClock()
    service = wire_service(tmp_path, server, clock)
    feed = service.settings.producers.feeds[0]
    async with aiohttp.ClientSession() as session:
        assert await service.poll(feed, session)
        service.acknowledged(service.store.pending(100))  # as if the broker took them
        assert sample(service, "escmon_producer_seen_ids") == 5, "4 articles and a dead letter"

        clock.advance(days=3)
        assert service.prune_seen() == 0, "younger than the ttl"
        changed(server, "wire-rss.xml", 1)
        assert await service.poll(feed, session)
        assert sample(service, "escmon_producer_duplicates_total") == 4
        assert service.store.pending_count() == 0, "nothing sent twice within the ttl"

        clock.advance(days=5)  # 8 days since they were published
        assert service.prune_seen() == 5
        assert sample(service, "escmon_producer_seen_pruned_total") == 5
        assert sample(service, "escmon_producer_seen_ids") == 0


async def test_an_item_still_in_its_feed_after_the_ttl_is_published_again(tmp_path, server):
    # Documented behaviour: the ttl must be longer than any feed keeps an item.
    clock = FakeClock()
    service = wire_service(tmp_path, server, clock)
    feed = service.settings.producers.feeds[0]
    async with aiohttp.ClientSession() as session:
        assert await service.poll(feed, session)
        first = sorted(a.id for a in outbox(service, "article"))
        service.acknowledged(service.store.pending(100))
        clock.advance(days=8)
        service.prune_seen()
        assert await service.poll(feed, session), "304: nothing parsed, nothing sent"
        assert service.store.pending_count() == 0
        changed(server, "wire-rss.xml", 1)
        assert await service.poll(feed, session)
    assert sorted(a.id for a in outbox(service, "article")) == first
    assert sample(service, "escmon_producer_duplicates_total") == 0


async def test_articles_waiting_for_the_broker_are_never_forgotten(tmp_path, server):
    clock = FakeClock()
    service = wire_service(tmp_path, server, clock)
    feed = service.settings.producers.feeds[0]
    async with aiohttp.ClientSession() as session:
        assert await service.poll(feed, session)
        waiting = service.store.pending_count()
        clock.advance(days=30)  # the broker was away for a month
        assert service.prune_seen() == 0
        changed(server, "wire-rss.xml", 1)
        assert await service.poll(feed, session)
    assert service.store.pending_count() == waiting, "nothing queued a second time"
    assert sample(service, "escmon_producer_duplicates_total") == 4


def test_a_configured_file_is_not_read_again_after_the_ttl(tmp_path):
    clock = FakeClock()
    path = tmp_path / "seed.md"
    path.write_text("# Seed\n\nBody.\n")
    service = make_service(tmp_path, [], now=clock, seen_ttl=WEEK, files=[str(path)])
    assert service.read_file(path, move=False)
    service.acknowledged(service.store.pending(10))
    clock.advance(days=40)
    assert service.prune_seen() == 1, "the article id is forgotten"
    assert service.read_file(path, move=False)
    assert service.store.pending_count() == 0, "but the file's record is kept: not read again"


async def test_the_seen_set_is_pruned_at_start_and_logged(tmp_path, caplog):
    clock = FakeClock()
    first = make_service(tmp_path, [], now=clock, seen_ttl=WEEK)
    first.store.enqueue("article", "old", b"{}", "src")
    first.store.acknowledged(first.store.pending(10))
    first.store.close()
    clock.advance(days=8)
    service = make_service(tmp_path, [], now=clock, seen_ttl=WEEK)
    assert sample(service, "escmon_producer_seen_ids") == 1, "counted at start"
    caplog.set_level("INFO", logger="producers.service")
    await service.run(asyncio.Event(), once=True)
    # run() closes the store, so read these two metrics alone (the pending gauge reads the db).
    [pruned] = service.metrics.seen_pruned.collect()
    assert [x.value for x in pruned.samples if x.name.endswith("_total")] == [1]
    [size] = service.metrics.seen_ids.collect()
    assert [x.value for x in size.samples] == [0]
    assert not Store(tmp_path / "state" / "producer.sqlite").known("old")
    [record] = [r for r in caplog.records if r.getMessage().startswith("seen-set pruned")]
    assert (record.seen_pruned, record.files_pruned, record.seen_ids) == (1, 0, 0)


async def test_the_seen_set_is_pruned_periodically(tmp_path):
    clock = FakeClock()
    service = make_service(tmp_path, [], now=clock, seen_ttl=WEEK)
    stop = asyncio.Event()
    task = asyncio.create_task(service.prune_forever(stop, interval=0.01))
    for key in ("a", "b"):
        service.store.enqueue("article", key, b"{}", "src")
    service.acknowledged(service.store.pending(10))
    await asyncio.sleep(0.05)
    assert sample(service, "escmon_producer_seen_pruned_total") == 0, "still young"
    clock.advance(days=8)
    for _ in range(100):
        if sample(service, "escmon_producer_seen_pruned_total"):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await task
    assert sample(service, "escmon_producer_seen_pruned_total") == 2
    assert not service.store.known("a")
