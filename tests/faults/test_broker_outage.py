"""The broker goes away mid-run: the producer keeps what it read and publishes it on return."""

import time

import pytest

from escmon.models import Article
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import wait_for
from tests.integration.kafka_util import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _drop(inbox, name: str, i: int) -> None:
    tmp = inbox / f".{name}"
    tmp.write_text(f"Report {name}\n\nItem number {i} about the harbour at dawn, {name}.\n")
    tmp.rename(inbox / name)  # an atomic rename, as a careful writer would do


def test_articles_read_while_the_broker_is_down_arrive_once_after_restart(
    make_config, escmon_proc, tmp_path, kafka_bootstrap, broker_ctl
):
    path, cfg = make_config()
    settings = load_settings(path)
    ensure_topics(settings)
    inbox = tmp_path / "inbox"
    producer = escmon_proc("--config", str(path), "producer")
    for i in range(5):
        _drop(inbox, f"before-{i}.txt", i)
    wait_for(lambda: len(list((inbox / "done").glob("before-*"))) == 5, 30, "first files read")
    before = read_topic(kafka_bootstrap, settings.topics.raw, expect=5, timeout=30)
    assert len(before) == 5

    broker_ctl.stop()
    try:
        for i in range(10):
            _drop(inbox, f"during-{i}.txt", i)
        wait_for(
            lambda: len(list((inbox / "done").glob("during-*"))) == 10,
            30,
            "files read while the broker is down",
        )
        time.sleep(20)  # the broker stays away for 20 s while the producer retries
        assert producer.popen.poll() is None, "the producer kept running without its broker"
    finally:
        broker_ctl.start(timeout=120)

    records = read_topic(kafka_bootstrap, settings.topics.raw, expect=15, timeout=90)
    ids = [Article.from_bytes(r.value).id for r in records]
    titles = sorted(Article.from_bytes(r.value).title for r in records)
    print(f"sent 15, received {len(ids)}, distinct {len(set(ids))}")
    assert len(set(ids)) == 15, f"lost: {15 - len(set(ids))}"
    assert len(ids) == 15, f"duplicated: {len(ids) - len(set(ids))}"
    assert titles[0].startswith("Report before-0")
