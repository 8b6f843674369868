"""A rebalance that takes partitions away commits what was handled of them first.

Faust's consumer keeps the offsets its agents acked until a commit; on a revocation it forgets those
of the revoked partitions before the app's handler commits, so the next owner would read them
again. The consumer below is the one ``escmon.faustapp.App`` makes, with only the broker calls
replaced.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.types import TP

from escmon.faustapp import App, CommitBeforeRevoke

RAW = TP("articles.raw", 0)
OTHER = TP("articles.raw", 1)


class Producer:
    async def flush(self) -> None:
        return None


def consumer_of(app: faust.App) -> tuple[Any, list[dict[TP, int]], list[str]]:
    """The app's consumer with offsets 10-12 of RAW acked and 10 committed, and what it sends."""
    commits: list[dict[TP, int]] = []
    handler: list[str] = []
    app._producer = Producer()  # type: ignore[assignment]
    consumer: Any = app.consumer

    async def commit(offsets: dict[TP, int]) -> bool:
        commits.append(dict(offsets))
        return True

    async def on_revoked(revoked: set[TP]) -> None:
        handler.append(f"app handler; acked then: {consumer._acked.get(RAW)}")

    consumer._commit = commit
    consumer.assignment = lambda: {RAW, OTHER}
    consumer._on_partitions_revoked = on_revoked
    consumer._committed_offset[RAW] = 10
    for offset in (10, 11, 12):
        consumer._acked[RAW].append(offset)
        consumer._acked_index[RAW].add(offset)
    return consumer, commits, handler


def make(app_class: type[faust.App]) -> faust.App:
    return app_class("revoke-test", broker="kafka://localhost:1", store="memory://")


async def test_acked_offsets_of_revoked_partitions_are_committed_before_faust_drops_them() -> None:
    consumer, commits, handler = consumer_of(make(App))
    assert isinstance(consumer, CommitBeforeRevoke)
    await consumer.on_partitions_revoked({RAW})
    assert commits == [{RAW: 13}]
    # The app's handler still runs, after the commit.
    assert handler == ["app handler; acked then: None"]


async def test_nothing_acked_nothing_committed() -> None:
    consumer, commits, _ = consumer_of(make(App))
    await consumer.on_partitions_revoked({OTHER})
    assert commits == []


async def test_fausts_own_consumer_forgets_them() -> None:
    # Why CommitBeforeRevoke exists: if this starts failing, faust-streaming commits before it
    # forgets, and the subclass can go.
    consumer, commits, handler = consumer_of(make(faust.App))
    assert not isinstance(consumer, CommitBeforeRevoke)
    await consumer.on_partitions_revoked({RAW})
    assert commits == []
    assert handler == ["app handler; acked then: None"]
