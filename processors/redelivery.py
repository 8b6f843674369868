"""Drop records this worker has already handled when Faust hands them to it again.

faust-streaming 0.15.3 ends the rebalance of an app that has a table
(``Recovery.on_recovery_completed``) by resuming its stream partitions *before* seeking them back to
their committed offsets. The batch fetched in between reaches the agent, the seek rewinds, and the
same worker tags the same records again 0.1-0.4 s later, with no rebalance in between (seen in
tests/integration/test_two_workers.py once the event stage's table joined the worker; apps with no
table take Faust's other path, which seeks first). Remembering, per partition, the next offset this
process has not handled keeps at-least-once (nothing is dropped that was not handled here) and
drops only that re-delivery. A partition that comes back later from another worker starts at the
committed offset, past what this process handled, so its records are all fresh.
"""

from __future__ import annotations


class HandledOffsets:
    """The next unhandled offset of each (topic, partition) this process has handled records of."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, int], int] = {}

    def fresh(self, topic: str, partition: int | None, offset: int | None) -> bool:
        """True unless this process has already handled ``offset`` of that partition.

        >>> h = HandledOffsets(); h.mark("raw", 0, 9); h.fresh("raw", 0, 9), h.fresh("raw", 0, 10)
        (False, True)
        """
        if partition is None or offset is None:
            return True
        return offset >= self._next.get((topic, partition), 0)

    def mark(self, topic: str, partition: int | None, offset: int | None) -> None:
        """Record that ``offset`` (and, by Kafka's order, every offset before it) was handled."""
        if partition is None or offset is None:
            return
        key = (topic, partition)
        self._next[key] = max(self._next.get(key, 0), offset + 1)
