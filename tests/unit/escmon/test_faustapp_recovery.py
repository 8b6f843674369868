"""The end of a table recovery seeks the stream partitions before anything is fetched from them.

A stand-in consumer plays Faust's fetcher: whenever the flow is on and a stream partition is
resumed, it can fetch from wherever that partition's position is. faust-streaming's own
``Recovery.on_recovery_completed`` resumes the partitions and then seeks, with the flow still on
from the changelog recovery, so the fetcher reads before the seek (records delivered twice, and
some dropped then booked as done); :class:`escmon.faustapp.SeekBeforeFetching` must not.
"""

from __future__ import annotations

import asyncio
from typing import Any

import faust
import pytest
from faust.tables.recovery import Recovery
from faust.types import TP

from escmon.faustapp import SeekBeforeFetching, SeekingTableManager

STREAM = TP("articles.raw", 0)


class Consumer:
    """What the recovery touches of Faust's consumer, with a log of what could be fetched."""

    def __init__(self) -> None:
        # As after a recovery that read changelogs: Faust resumed the flow to read them.
        self.flow_active = True
        self.resumed: set[TP] = set()
        self.seeking = False
        self.log: list[str] = []
        self.during_seek: Any = None

    def fetch_possible(self) -> bool:
        return self.flow_active and STREAM in self.resumed

    def assignment(self) -> set[TP]:
        return {STREAM}

    def stop_flow(self) -> None:
        self.flow_active = False
        self.log.append("stop_flow")

    def resume_flow(self) -> None:
        self.flow_active = True
        self.log.append("resume_flow")

    def resume_partitions(self, tps: Any) -> None:
        self.resumed.update(tps)
        self.log.append("resume_partitions")

    def pause_partitions(self, tps: Any) -> None:
        self.resumed.difference_update(tps)

    async def perform_seek(self) -> None:
        self.log.append("seek begins")
        self.seeking = True
        # The seek asks the broker for the committed offsets: the event loop (and with it the
        # fetcher) runs meanwhile.
        await asyncio.sleep(0.05)
        if self.during_seek is not None:
            self.during_seek()
        self.seeking = False
        self.log.append("seek done")


class Fetcher:
    async def maybe_start(self) -> None:
        return None


async def fetcher(consumer: Consumer, before_seek: list[str]) -> None:
    """Note every moment the fetcher could read a stream partition not yet sought."""
    sought = False
    while True:
        sought = sought or "seek done" in consumer.log
        if consumer.fetch_possible() and not sought:
            before_seek.append("seeking" if consumer.seeking else "before the seek")
        await asyncio.sleep(0.005)


def recovery_of(app: faust.App, consumer: Consumer) -> Recovery:
    app._consumer = consumer  # type: ignore[assignment]
    app.__dict__["_fetcher"] = Fetcher()
    return app.tables.recovery  # type: ignore[attr-defined]


async def run_completion(recovery: Recovery, consumer: Consumer) -> list[str]:
    before_seek: list[str] = []
    watcher = asyncio.ensure_future(fetcher(consumer, before_seek))
    await asyncio.sleep(0.01)
    try:
        await recovery.on_recovery_completed(generation_id=0)
        await asyncio.sleep(0.01)
    finally:
        watcher.cancel()
    return before_seek


def make(table_manager: Any) -> faust.App:
    return faust.App(
        "recovery-order-test",
        broker="kafka://localhost:1",
        store="memory://",
        TableManager=table_manager,
    )


async def test_apps_use_the_seeking_recovery() -> None:
    app = make(SeekingTableManager)
    assert isinstance(recovery_of(app, Consumer()), SeekBeforeFetching)


async def test_stream_partitions_are_sought_before_anything_is_fetched() -> None:
    consumer = Consumer()
    recovery = recovery_of(make(SeekingTableManager), consumer)
    before_seek = await run_completion(recovery, consumer)
    assert before_seek == []
    assert consumer.log == [
        "stop_flow", "resume_partitions", "seek begins", "seek done", "resume_flow"
    ]
    assert consumer.fetch_possible()


@pytest.mark.parametrize("table_manager", ["faust.tables:TableManager"])
async def test_fausts_own_recovery_fetches_before_its_seek(table_manager: str) -> None:
    # Why SeekBeforeFetching exists: if this starts failing, a faust-streaming release has fixed
    # the order and the subclass can go.
    consumer = Consumer()
    recovery = recovery_of(make(table_manager), consumer)
    assert type(recovery) is Recovery
    before_seek = await run_completion(recovery, consumer)
    assert "seeking" in before_seek


def revocation_begins(app: faust.App, consumer: Consumer) -> None:
    """What the start of a revocation does to the flow (App.on_rebalance_start and then
    App._on_partitions_revoked)."""
    app.on_rebalance_start()
    consumer.stop_flow()
    app.flow_control.suspend()


@pytest.mark.parametrize("table_manager", [SeekingTableManager, "faust.tables:TableManager"])
async def test_a_rebalance_beginning_during_the_seek_keeps_the_flow_stopped(
    table_manager: Any,
) -> None:
    consumer = Consumer()
    app = make(table_manager)
    recovery = recovery_of(app, consumer)
    consumer.during_seek = lambda: revocation_begins(app, consumer)
    await run_completion(recovery, consumer)
    if table_manager is SeekingTableManager:
        assert not consumer.flow_active and not app.flow_control.is_active()
        assert app.rebalancing
    else:
        # Faust resumes the flow the revocation stopped: why the check after the seek exists.
        assert consumer.flow_active and app.flow_control.is_active()
