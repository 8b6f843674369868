"""Poison on ``articles.raw``: each bad message lands in ``deadletter`` with its reason and the
valid articles around it are still tagged (the stream keeps flowing)."""

import json

import pytest
from kafka import KafkaProducer

from escmon.models import DeadLetter
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import wait_for
from tests.faults.faultkit import figures, strike_articles, tagged_ids
from tests.integration.kafka_util import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TEN_MB = 10 * 1024 * 1024


def _poison() -> dict[str, tuple[bytes, tuple[str, ...]]]:
    """name -> (payload, words of which the dead letter's reason must contain one)."""
    good = json.loads(strike_articles(0, 1, prefix="poison")[0].to_bytes())
    wrong_schema = dict(good, schema="article/2", id="poison-schema")
    huge = dict(good, id="poison-huge", body="Lorem ipsum dolor sit amet. " * (TEN_MB // 28))
    return {
        "invalid-json": (b'{"schema": "article/1", "id": "poison-json", "body": ', ("json",)),
        "wrong-schema": (json.dumps(wrong_schema).encode(), ("schema",)),
        "ten-mb-body": (json.dumps(huge).encode(), ("too large",)),
        "invalid-utf8": (
            b'{"schema": "article/1", "id": "poison-\xff\xfe", "source": "x"}',
            ("unicode", "utf"),
        ),
        "empty": (b"", ("empty",)),
    }


def test_poison_messages_are_dead_lettered_with_reasons_and_the_stream_keeps_flowing(
    make_config, escmon_proc, kafka_bootstrap
):
    path, cfg = make_config(kafka={"partitions": 1})
    settings = load_settings(path)
    ensure_topics(settings)
    worker = escmon_proc("--config", str(path), "worker")

    before = strike_articles(0, 5, prefix="before")
    after = strike_articles(0, 5, prefix="after")
    poison = _poison()
    producer = KafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", max_request_size=16 * 1024 * 1024
    )
    where: dict[str, tuple[int, int]] = {}
    for a in before:
        producer.send(settings.topics.raw, key=a.id.encode(), value=a.to_bytes())
    for name, (payload, _) in poison.items():
        meta = producer.send(settings.topics.raw, key=name.encode(), value=payload).get(60)
        where[name] = (meta.partition, meta.offset)
    for a in after:
        producer.send(settings.topics.raw, key=a.id.encode(), value=a.to_bytes())
    producer.flush(60)
    producer.close()

    want = {a.id for a in before + after}
    ids = tagged_ids(kafka_bootstrap, settings.topics.tagged, expect=len(want), timeout=90)
    fig = figures(want, ids)
    print(f"valid articles: {fig}")
    assert fig["lost"] == 0, f"valid articles not tagged: {fig}\n{worker.output()[-3000:]}"
    assert fig["unexpected"] == 0, f"a poison message was tagged: {set(ids) - want}"

    records = wait_for(
        lambda: (
            (
                r := read_topic(
                    kafka_bootstrap, settings.topics.deadletter, expect=len(poison), timeout=10
                )
            )
            and len(r) >= len(poison)
            and r
        ),
        60,
        "the dead letters",
    )
    letters = [DeadLetter.from_bytes(r.value) for r in records]
    by_offset = {(d.partition, d.offset): d for d in letters}
    print(f"poison sent {len(poison)}, dead letters {len(letters)}")
    for name, (_, words) in poison.items():
        letter = by_offset.get(where[name])
        assert letter is not None, f"{name} at {where[name]} not dead-lettered: {letters}"
        print(f"  {name}: {letter.reason[:100]}")
        assert letter.stage == "processors"
        assert letter.topic == settings.topics.raw
        assert letter.reason, f"{name} has no reason"
        reason = letter.reason.lower()
        assert any(w in reason for w in words), f"{name}: reason {letter.reason!r} lacks {words}"
        assert len(letter.payload) <= settings.processors.deadletter_cap
    assert by_offset[where["ten-mb-body"]].truncated
    assert len(letters) == len(poison), f"dead letters twice: {len(letters)} for {len(poison)}"
    assert worker.popen.poll() is None, "the worker died on poison"
