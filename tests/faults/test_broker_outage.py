"""The broker goes away mid-run: the producer keeps what it read and publishes it on return.

Files dropped in the inbox and new entries appearing in a feed (served over HTTP) while the broker
is stopped must all arrive once it is back: none lost, none twice.
"""

import time

import pytest

from escmon.models import Article
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import wait_for
from tests.integration.feedserver import FeedServer
from tests.integration.kafka_util import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _drop(inbox, name: str, i: int) -> None:
    tmp = inbox / f".{name}"
    tmp.write_text(f"Report {name}\n\nItem number {i} about the harbour at dawn, {name}.\n")
    tmp.rename(inbox / name)  # an atomic rename, as a careful writer would do


class GrowingFeed:
    """An RSS document whose item list grows, as a live news feed does."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, n: int) -> None:
        self.items.append(
            f"<item><title>Feed story {n}</title><link>https://live.example.com/story/{n}"
            f"?utm_source=rss</link><description>Update number {n} from the front.</description>"
            "</item>"
        )

    def body(self) -> bytes:
        items = "".join(reversed(self.items))
        return (
            "<?xml version='1.0'?><rss version='2.0'><channel><title>Live</title>"
            f"<link>https://live.example.com/</link><description>d</description>{items}"
            "</channel></rss>"
        ).encode()


def test_articles_read_while_the_broker_is_down_arrive_once_after_restart(
    make_config, escmon_proc, tmp_path, kafka_bootstrap, broker_ctl
):
    live = GrowingFeed()
    for n in range(2):
        live.add(n)
    with FeedServer() as srv:
        url = srv.feed("/live.xml", live.body)
        path, cfg = make_config(
            producers={"feeds": [{"name": "live", "url": url, "interval": 1.0}]}
        )
        settings = load_settings(path)
        ensure_topics(settings)
        inbox = tmp_path / "inbox"
        producer = escmon_proc("--config", str(path), "producer")
        for i in range(5):
            _drop(inbox, f"before-{i}.txt", i)
        wait_for(lambda: len(list((inbox / "done").glob("before-*"))) == 5, 30, "first files read")
        before = read_topic(kafka_bootstrap, settings.topics.raw, expect=7, timeout=30)
        assert len(before) == 7

        broker_ctl.stop()
        try:
            hits = srv.hits.get("/live.xml", 0)
            for n in range(2, 5):
                live.add(n)
            for i in range(10):
                _drop(inbox, f"during-{i}.txt", i)
            wait_for(
                lambda: len(list((inbox / "done").glob("during-*"))) == 10,
                30,
                "files read while the broker is down",
            )
            wait_for(lambda: srv.hits.get("/live.xml", 0) > hits + 1, 30, "feed polled meanwhile")
            time.sleep(15)  # the broker stays away a while longer while the producer retries
            assert producer.popen.poll() is None, "the producer kept running without its broker"
        finally:
            broker_ctl.start(timeout=120)

        records = read_topic(kafka_bootstrap, settings.topics.raw, expect=20, timeout=90)
    articles = [Article.from_bytes(r.value) for r in records]
    ids = [a.id for a in articles]
    titles = sorted(a.title for a in articles)
    print(f"sent 20, received {len(ids)}, distinct {len(set(ids))}")
    assert len(set(ids)) == 20, f"lost: {20 - len(set(ids))}"
    assert len(ids) == 20, f"duplicated: {len(ids) - len(set(ids))}"
    assert titles[0].startswith("Feed story 0")
    assert [t for t in titles if t.startswith("Feed story")] == [
        f"Feed story {n}" for n in range(5)
    ]
    assert sum(t.startswith("Report during-") for t in titles) == 10
