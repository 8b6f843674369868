"""The event agents in Faust's test mode: memory channel in, outputs recorded, the table kept.

``agent.test_context()`` feeds an agent through a local channel instead of Kafka; the output
topics' ``send`` is replaced by a recorder (the real broker path, the real linker and recovery
after SIGKILL are covered by tests/integration/test_event_stage.py). The linker is the stand-in of
``linker_standin.py``, so these tests are about the shell: routing, state, publishing, metrics.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from escmon.models import DeadLetter, EventRecord, TaggedArticle
from escmon.settings import MetricsSettings, Settings
from processors.app import create_app
from processors.eventstage import Linker
from tests.conftest import free_port
from tests.unit.processors.linker_standin import STANDIN, OpenEvents, routing_key
from tests.unit.processors.test_eventstage import report


class Recorder:
    """Stands in for ``Topic.send``: keeps (key, value) pairs, acks at once."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes, bytes]] = []

    async def send(self, *, key: bytes, value: bytes, **_: Any) -> asyncio.Future[None]:
        self.sent.append((key, value))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class NoTagger:
    """The event agents never call the tagger."""

    def tag_many(self, articles: Any) -> Any:
        raise AssertionError


@pytest.fixture
def wired(tmp_path):
    """The worker app with the stand-in linker and every output topic recorded."""
    settings = Settings(state_dir=tmp_path, metrics=MetricsSettings(worker_port=free_port()))
    registry = CollectorRegistry()
    app = create_app(
        settings, registry=registry, tagger=NoTagger(), app_id="escmon-test-events", linker=STANDIN
    )
    out = {name: Recorder() for name in ("by_country", "events", "deadletter")}
    for name, recorder in out.items():
        app.escmon_outputs[name].send = recorder.send
    app.finalize()
    app.flow_control.resume()
    return app, registry, out


async def test_rekey_sends_each_article_under_its_action_country(wired):
    app, registry, out = wired
    syria = report("s1", country="Syria")
    nowhere = report("n1").model_copy(update={"event": None})
    async with app.agents["rekey"].test_context() as agent:
        await agent.put(syria.to_bytes(), key=b"s1")
        await agent.put(nowhere.to_bytes(), key=b"n1")
        await agent.put(b'{"schema": "article/1"}', key=b"bad")
    assert out["by_country"].sent == [(b"Syria", syria.to_bytes())]
    assert registry.get_sample_value("escmon_events_not_linked_total") == 1
    [(key, value)] = out["deadletter"].sent
    letter = DeadLetter.from_bytes(value)
    assert key == b"events" and letter.stage == "events"
    assert "invalid tagged/1 record" in letter.reason and letter.offset is not None


async def test_link_publishes_revisions_keyed_by_event_id_and_nothing_for_a_redelivery(wired):
    app, registry, out = wired
    r1, r2 = report("r1", killed=4), report("r2", killed=6, source="b")
    other = report("r3", day=2, killed=1)
    async with app.agents["link"].test_context() as agent:
        for art in (r1, r2, other, r2):
            await agent.put(art.to_bytes(), key=b"Syria")
        await agent.put(b"\xff not json", key=b"Syria")
    events = [(k, EventRecord.from_bytes(v)) for k, v in out["events"].sent]
    assert [(e.revision, e.articles) for _, e in events] == [
        (1, ["r1"]), (2, ["r1", "r2"]), (1, ["r3"])
    ]
    assert all(k == e.id.encode() for k, e in events)
    assert events[1][1].killed.best == 6
    assert len({e.id for _, e in events}) == 2
    [(_, value)] = out["deadletter"].sent
    assert "invalid tagged/1 record" in DeadLetter.from_bytes(value).reason
    get = registry.get_sample_value
    assert get("escmon_events_opened_total", {"theater": "none"}) == 2
    assert get("escmon_events_updated_total") == 1
    assert get("escmon_events_merged_total") == 0
    assert get("escmon_events_open") == 2
    assert get("escmon_events_link_decisions_total", {"reason": "opened"}) == 2
    assert get("escmon_events_link_decisions_total", {"reason": "same day"}) == 1
    assert get("escmon_events_deadletters_total", {"reason": "invalid tagged/1 record"}) == 1
    assert get("escmon_events_link_seconds_count") >= 1
    stored = json.loads(app.tables["open-events"]["Syria"])
    assert stored["open"] == 2 and stored["newest"].startswith("2026-03-03")


async def test_link_closes_events_by_event_time_and_keys_keep_separate_clocks(wired):
    app, registry, out = wired
    async with app.agents["link"].test_context() as agent:
        await agent.put(report("old", day=0).to_bytes(), key=b"Syria")
        await agent.put(report("far", day=0, country="Sudan").to_bytes(), key=b"Sudan")
        await agent.put(report("new", day=6).to_bytes(), key=b"Syria")
    events = [EventRecord.from_bytes(v) for _, v in out["events"].sent]
    closed = [e for e in events if e.status == "closed"]
    # Syria's clock moved six days on and closed its old event; Sudan's did not move.
    assert [e.articles for e in closed] == [["old"]]
    assert registry.get_sample_value("escmon_events_closed_total") == 1
    assert registry.get_sample_value("escmon_events_open") == 2


async def test_a_linker_error_dead_letters_the_article_and_the_stream_goes_on(wired):
    app, registry, out = wired
    broken = report("r1").model_copy(update={"event": None})  # the stand-in asserts on it
    async with app.agents["link"].test_context() as agent:
        await agent.put(broken.to_bytes(), key=b"Syria")
        await agent.put(report("r2").to_bytes(), key=b"Syria")
    [(_, value)] = out["deadletter"].sent
    assert DeadLetter.from_bytes(value).reason.startswith("linker error: AssertionError")
    assert [EventRecord.from_bytes(v).articles for _, v in out["events"].sent] == [["r2"]]


def test_the_event_stage_can_be_switched_off(tmp_path):
    settings = Settings(
        state_dir=tmp_path,
        metrics=MetricsSettings(worker_port=free_port()),
        events={"enabled": False},
    )
    app = create_app(settings, tagger=NoTagger(), app_id="escmon-test-noevents", linker=STANDIN)
    assert set(app.agents) == {"tag"}


class SlowEvents(OpenEvents):
    """The stand-in's open events, taking a while per report (as a busy country's state does)."""

    def add(self, article: TaggedArticle) -> list[EventRecord]:
        time.sleep(0.3)  # in link's worker thread, so the stream takes the next report meanwhile
        return super().add(article)


async def test_a_report_taken_while_a_batch_is_linked_is_linked_itself(tmp_path):
    # take_events notes the event of a record it buffers from stream.current_event, after waiting
    # for the batch in hand; the agent points the table at the batch's last event meanwhile. When
    # it left that on the stream, the next batch held the previous report again and the report
    # taken meanwhile was never linked nor acked (a worker's revocation then waited for it forever).
    settings = Settings(state_dir=tmp_path, metrics=MetricsSettings(worker_port=free_port()))
    slow = Linker(routing_key, SlowEvents, SlowEvents.from_json)
    app = create_app(settings, tagger=NoTagger(), app_id="escmon-test-slowlink", linker=slow)
    events = Recorder()
    app.escmon_outputs["events"].send = events.send
    app.finalize()
    app.flow_control.resume()
    syria, sudan = report("s1", country="Syria"), report("d1", country="Sudan")
    async with app.agents["link"].test_context() as agent:
        first = asyncio.ensure_future(agent.put(syria.to_bytes(), key=b"Syria"))
        await asyncio.sleep(0.2)  # s1's batch is being linked
        await asyncio.wait_for(agent.put(sudan.to_bytes(), key=b"Sudan"), 10)
        await first

        def linked() -> list[str]:
            return sorted(a for _, v in events.sent for a in EventRecord.from_bytes(v).articles)

        # put() returns on the agent's first yield after it; the last batch may still be linking.
        for _ in range(50):
            if len(linked()) >= 2:
                break
            await asyncio.sleep(0.1)
    assert linked() == ["d1", "s1"]
