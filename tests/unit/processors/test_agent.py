"""The tagging agent in Faust's test mode: memory channel in, the real tagger, outputs recorded.

``agent.test_context()`` feeds the agent through a local channel instead of Kafka; the two output
topics' ``send`` is replaced by a recorder so the test sees what would be published (the real
broker path is covered by tests/integration/test_worker.py).
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry

from escmon.models import Article, DeadLetter, TaggedArticle, utcnow
from escmon.settings import MetricsSettings, Settings
from processors.app import create_app
from tests.conftest import SEED_ARTICLE, free_port


class Recorder:
    """Stands in for ``Topic.send``: keeps (key, value) pairs."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes, bytes]] = []

    async def send(self, *, key: bytes, value: bytes, **_: Any) -> None:
        self.sent.append((key, value))


def _app(tmp_path, app_id: str) -> tuple[Any, CollectorRegistry, Recorder, Recorder]:
    """The worker's app in test mode with its two outputs recorded."""
    settings = Settings(state_dir=tmp_path, metrics=MetricsSettings(worker_port=free_port()))
    registry = CollectorRegistry()
    app = create_app(settings, registry=registry, app_id=app_id)
    tagged, dead = Recorder(), Recorder()
    app.escmon_outputs["tagged"].send = tagged.send
    app.escmon_outputs["deadletter"].send = dead.send
    app.finalize()
    app.flow_control.resume()
    return app, registry, tagged, dead


async def test_agent_tags_articles_counts_signals_and_dead_letters_poison(tmp_path):
    app, registry, tagged, dead = _app(tmp_path, "escmon-test-agent")
    seed = Article(
        id="seed-1",
        source="test",
        title="US strikes",
        body=SEED_ARTICLE.read_text(encoding="utf-8"),
        fetched=utcnow(),
    )
    calm = Article(id="calm-1", source="test", body="Markets closed higher.", fetched=utcnow())
    agent = app.agents["tag"]
    async with agent.test_context() as test_agent:
        await test_agent.put(seed.to_bytes(), key=b"seed-1")
        await test_agent.put(b"{not json", key=b"bad")
        await test_agent.put(calm.to_bytes(), key=b"calm-1")

    out = {key: TaggedArticle.from_bytes(value) for key, value in tagged.sent}
    assert set(out) == {b"seed-1", b"calm-1"}
    summary = out[b"seed-1"].summary
    assert summary.strike and summary.casualties and summary.retaliation_pledge
    assert summary.killed == 19
    assert out[b"calm-1"].signals == []
    [(_, letter_bytes)] = dead.sent
    letter = DeadLetter.from_bytes(letter_bytes)
    assert letter.stage == "processors" and "invalid" in letter.reason
    assert registry.get_sample_value("escmon_processor_articles_tagged_total") == 2
    strikes = sum(1 for s in out[b"seed-1"].signals if s.type == "strike")
    assert registry.get_sample_value("escmon_signals_total", {"type": "strike"}) == strikes
    assert registry.get_sample_value("escmon_tagging_seconds_count") >= 1


async def test_agent_drops_a_batch_faust_hands_it_again_after_a_rewind(tmp_path):
    # faust-streaming rewinds a table app's partitions after it resumed them, so the same worker
    # gets a batch it has tagged already (processors/redelivery.py); it must not be tagged twice,
    # while a later offset of the partition still is.
    app, registry, tagged, _ = _app(tmp_path, "escmon-test-rewind")

    def article(i: int) -> Article:
        return Article(id=f"a-{i}", source="test", body=f"Markets on day {i}.", fetched=utcnow())

    agent = app.agents["tag"]
    async with agent.test_context() as test_agent:
        for i in range(3):
            await test_agent.put(article(i).to_bytes(), key=f"a-{i}".encode(), partition=0)
        test_agent.sent_offset = 1  # the rewind: offsets 1 and 2 come again
        for i in (1, 2, 3):
            await test_agent.put(article(i).to_bytes(), key=f"a-{i}".encode(), partition=0)
        await test_agent.put(article(9).to_bytes(), key=b"a-9", partition=1)

    keys = [key for key, _ in tagged.sent]
    assert keys == [b"a-0", b"a-1", b"a-2", b"a-3", b"a-9"]
    assert registry.get_sample_value("escmon_processor_redelivered_total") == 2
