"""The producer process polling feeds from a local HTTP server, publishing to the real broker.

Good, duplicate, redirected, failing (500), slow (timeout), malformed and entity-bomb feeds are
polled every second for a while: every valid entry must arrive exactly once on the raw topic, each
unreadable document or entry once on the dead-letter topic with its reason, the HTTP failures
counted by reason on /metrics, and the unchanged feeds answered by 304s.
"""

import re
import time
import urllib.request

import pytest

from escmon.models import Article, DeadLetter
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import wait_for
from tests.integration.feedserver import FEEDS, FeedServer
from tests.integration.kafka_util import read_topic

pytestmark = pytest.mark.integration

MALFORMED = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Half</title"


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text page (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        m = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if m and m.group(1) == name:
            got = ",".join(sorted((m.group(2) or "").split(","))) if m.group(2) else ""
            if got == want:
                return float(m.group(3))
    return 0.0


def test_feeds_over_http_arrive_once_and_bad_ones_are_dead_lettered(
    make_config, escmon_proc, kafka_bootstrap
):
    with FeedServer() as srv:
        feeds = [
            {"name": "wire", "url": srv.feed("/wire.xml", (FEEDS / "wire-rss.xml").read_bytes())},
            {
                "name": "agg",
                "url": srv.feed("/agg.xml", (FEEDS / "aggregator-rss.xml").read_bytes()),
            },
            {"name": "moved", "url": srv.status("/old.xml", 301, "/ministry.xml")},
            {"name": "down", "url": srv.status("/down.xml", 500)},
            {"name": "slow", "url": srv.slow("/slow.xml", 3.0, b"<rss/>")},
            {"name": "half", "url": srv.feed("/half.xml", MALFORMED)},
            {
                "name": "bomb",
                "url": srv.feed("/bomb.xml", (FEEDS / "quadratic-blowup.xml").read_bytes()),
            },
        ]
        srv.feed("/ministry.xml", (FEEDS / "ministry-atom.xml").read_bytes())
        for feed in feeds:
            feed["interval"] = 1.0
        path, cfg = make_config(
            producers={"feeds": feeds, "timeout": 1.0, "backoff_max": 2.0, "inbox": None}
        )
        settings = load_settings(path)
        ensure_topics(settings)
        proc = escmon_proc("--config", str(path), "producer")
        port = cfg["metrics"]["producer_port"]

        def scrape() -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                return r.read().decode()

        def polled_enough() -> bool:
            page = scrape()
            return (
                metric(page, "escmon_feed_not_modified_total", feed="wire") >= 2
                and metric(page, "escmon_feed_errors_total", feed="slow", reason="timeout") >= 2
                and metric(page, "escmon_feed_errors_total", feed="down", reason="http_500") >= 2
                and metric(page, "escmon_producer_pending_articles") == 0
                and srv.hits.get("/bomb.xml", 0) >= 2
                and srv.hits.get("/half.xml", 0) >= 2
            )

        wait_for(polled_enough, 60, "several polls of every feed, outbox drained")
        page = scrape()
        assert proc.stop() == 0, proc.output()[-3000:]

    assert srv.not_modified.get("/wire.xml", 0) >= 2, "conditional GET used"
    raw = read_topic(kafka_bootstrap, settings.topics.raw, expect=6, timeout=30)
    articles = [Article.from_bytes(r.value) for r in raw]
    titles = sorted(a.title for a in articles)
    assert titles == sorted(
        [
            "Drone strike hits fuel depot near Kharkiv & rail yard",
            "Ceasefire talks resume in Doha",
            "Markets steady as oil slips",
            "Placeholder from the future",
            "Déclaration sur les frappes de la nuit",
            "Communiqué sans lien",
        ]
    ), "each valid entry exactly once; the aggregator's copy of the Doha story is a duplicate"
    assert all(r.key.decode() == Article.from_bytes(r.value).id for r in raw), "keyed by id"
    moved = sorted((a.title, a.url) for a in articles if a.source == "moved")
    assert moved == [
        ("Communiqué sans lien", None),
        (
            "Déclaration sur les frappes de la nuit",
            "https://ministere.example.fr/communiques/2026/frappes-nuit",
        ),
    ], "the redirect was followed"

    letters = read_topic(kafka_bootstrap, settings.topics.deadletter, expect=3, timeout=20)
    dead = [DeadLetter.from_bytes(r.value) for r in letters]
    by_source = sorted((d.source, d.reason.split(":")[0]) for d in dead)
    assert by_source == [
        ("bomb", "xml_entity_bomb"),
        ("half", "malformed_xml"),
        ("wire", "empty_entry"),
    ], "each bad document or entry once, however often it was polled"
    half = next(d for d in dead if d.source == "half")
    assert half.payload == MALFORMED.decode() and half.stage == "producers"
    assert metric(page, "escmon_producer_duplicates_total") >= 1
    assert metric(page, "escmon_feed_errors_total", feed="bomb", reason="xml_entity_bomb") >= 2
    assert (
        metric(page, "escmon_feed_last_success_timestamp_seconds", feed="wire") > time.time() - 120
    )
    assert metric(page, "escmon_feed_last_success_timestamp_seconds", feed="down") == 0
