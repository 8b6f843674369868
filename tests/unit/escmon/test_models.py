import json

import pytest

from escmon.models import (
    Alert,
    Article,
    DeadLetter,
    RecordError,
    TaggedArticle,
    stable_id,
    utcnow,
)


def test_article_round_trips_with_its_schema_version():
    a = Article(id="x1", source="s", title="T", body="B", fetched=utcnow(), url="https://e.org/a")
    wire = a.to_bytes()
    assert json.loads(wire)["schema"] == "article/1"
    assert Article.from_bytes(wire) == a
    assert a.text == "T\nB"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"not json", "Invalid JSON"),
        (
            b'{"schema": "article/2", "id": "a", "source": "s", "fetched": "2026-01-01T00:00:00Z"}',
            "schema",
        ),
        (b'{"schema": "article/1", "source": "s", "fetched": "2026-01-01T00:00:00Z"}', "id"),
        (b"\xff\xfe\x00garbage", "invalid article/1 record"),
    ],
)
def test_invalid_payloads_raise_record_error_with_reason(payload, reason):
    with pytest.raises(RecordError) as info:
        Article.from_bytes(payload)
    assert reason in str(info.value)


def test_tagged_event_time_prefers_published_then_fetched():
    now = utcnow()
    t = TaggedArticle(id="a", fetched=now)
    assert t.event_time == now
    assert TaggedArticle.from_bytes(t.to_bytes()).fetched == now


def test_dead_letter_truncates_and_keeps_the_reason():
    d = DeadLetter.of(
        stage="p",
        reason="bad",
        payload=b"\xff" + b"a" * 100,
        cap=10,
        topic="t",
        partition=1,
        offset=7,
    )
    assert d.truncated is True
    assert len(d.payload) == 10
    assert d.payload.startswith("\\xff")
    back = DeadLetter.from_bytes(d.to_bytes())
    assert (back.reason, back.topic, back.partition, back.offset) == ("bad", "t", 1, 7)


def test_stable_id_is_stable_and_distinguishes_parts():
    assert stable_id("a", "b") == stable_id("a", "b")
    assert stable_id("a", "b") != stable_id("ab")
    assert len(stable_id("x")) == 20


def test_alert_serialises_with_schema():
    now = utcnow()
    a = Alert(id="i", rule="r", severity="warning", group="g", window_start=now, window_end=now)
    assert json.loads(a.to_bytes())["schema"] == "alert/1"
    assert Alert.from_bytes(a.to_bytes()) == a
