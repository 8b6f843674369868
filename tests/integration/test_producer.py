"""The producer process on the real broker: files and a feed in, articles and dead letters out."""

import os
from datetime import timedelta

import aiohttp
import pytest
from prometheus_client import CollectorRegistry

from escmon.models import Article, DeadLetter, utcnow
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from producers.service import ProducerService
from tests.conftest import SEED_ARTICLE, SEEDS
from tests.integration.kafka_util import read_topic

pytestmark = pytest.mark.integration


def test_producer_once_publishes_each_article_once_and_dead_letters_bad_files(
    make_config, escmon_proc, tmp_path, kafka_bootstrap
):
    local_feed = SEEDS / "feeds" / "local.xml"
    path, cfg = make_config(
        producers={
            "files": [str(SEED_ARTICLE)],
            "feeds": [{"name": "local", "url": str(local_feed)}],
        }
    )
    settings = load_settings(path)
    ensure_topics(settings)
    inbox = tmp_path / "inbox"
    (inbox / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (inbox / "note.md").write_text("# Quiet day\n\nNothing happened in the harbour today.\n")

    proc = escmon_proc("--config", str(path), "producer", "--once")
    assert proc.popen.wait(timeout=90) == 0, proc.output()[-3000:]

    raw = read_topic(kafka_bootstrap, settings.topics.raw, expect=3, timeout=30)
    articles = [Article.from_bytes(r.value) for r in raw]
    ids = [a.id for a in articles]
    assert len(ids) == len(set(ids)), "no article twice"
    sources = {a.source for a in articles}
    assert str(SEED_ARTICLE) in sources
    assert "local" in sources, "the local RSS file was read"
    assert any(a.title.startswith("Quiet day") for a in articles)
    seed = next(a for a in articles if a.source == str(SEED_ARTICLE))
    assert seed.title.startswith("US Carries Out Retaliatory Strikes")
    assert "85 targets" in seed.body

    [dead] = read_topic(kafka_bootstrap, settings.topics.deadletter, expect=1, timeout=20)
    letter = DeadLetter.from_bytes(dead.value)
    assert letter.stage == "producers"
    assert "binary" in letter.reason
    assert (inbox / "failed" / "binary.txt").exists()
    assert (inbox / "done" / "note.md").exists()

    # A second run sends nothing new: the seen-set and file tracking survive the restart.
    again = escmon_proc("--config", str(path), "producer", "--once")
    assert again.popen.wait(timeout=90) == 0
    assert len(
        read_topic(kafka_bootstrap, settings.topics.raw, expect=len(raw) + 1, timeout=5)
    ) == len(raw)


async def test_an_id_pruned_after_the_ttl_is_published_again_on_the_broker(
    make_config, tmp_path, kafka_bootstrap
):
    # In process with a clock the test moves on: the real publisher acknowledges, the seen-set
    # grows, is pruned eight days later, and the same items go to the topic a second time.
    feed_file = tmp_path / "local.xml"
    feed_file.write_bytes((SEEDS / "feeds" / "local.xml").read_bytes())
    path, _ = make_config(
        producers={
            "inbox": None,
            "seen_ttl": 7 * 86_400,
            "feeds": [{"name": "l", "url": str(feed_file)}],
        }
    )
    settings = load_settings(path)
    ensure_topics(settings)
    days = [0]
    start = utcnow()
    service = ProducerService(
        settings, CollectorRegistry(), now=lambda: start + timedelta(days=days[0])
    )
    feed = settings.producers.feeds[0]
    try:
        async with aiohttp.ClientSession() as session:
            assert await service.poll(feed, session)
            sent = await service.drain_once()
            assert sent > 0
            assert service.registry.get_sample_value("escmon_producer_seen_ids") == sent
            days[0] = 8
            assert service.prune_seen() == sent
            before = feed_file.stat().st_mtime_ns
            feed_file.write_bytes(feed_file.read_bytes() + b"\n")  # the feed changes
            os.utime(feed_file, ns=(before + 10**9, before + 10**9))  # a new mtime, surely
            assert await service.poll(feed, session)
            assert await service.drain_once() == sent
    finally:
        service.publisher.close()
        service._parser.shutdown(wait=True)
        service.store.close()
    records = read_topic(kafka_bootstrap, settings.topics.raw, expect=2 * sent, timeout=30)
    keys = [r.key for r in records]
    assert len(keys) == 2 * sent, "each item twice: once, then again after the ttl"
    assert len(set(keys)) * 2 == len(keys)
