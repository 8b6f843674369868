"""The producer service without a broker: polling, 304s, dead letters, backoff, config reload.

A local aiohttp server plays the feeds; the outbox (SQLite) is read back instead of Kafka.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
import yaml
from aiohttp import web
from prometheus_client import CollectorRegistry

from escmon.models import Article, DeadLetter
from escmon.settings import FeedSettings, Settings, load_settings
from producers.service import ProducerService

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


def make_service(tmp_path: Path, feeds: list[dict], **producers) -> ProducerService:
    settings = Settings(
        state_dir=tmp_path / "state",
        producers={"inbox": None, "feeds": feeds, **producers},
        metrics={"producer_port": 0},
    )
    return ProducerService(settings, CollectorRegistry())


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
            {"name": "wire", "url": f"{server.base}/wire-rss.xml", "region": "Middle East",
             "tags": ["wire", "en"]},
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
