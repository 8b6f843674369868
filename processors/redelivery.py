"""Drop records this worker has already handled when Faust hands them to it again.

faust-streaming 0.15.3 ends the rebalance of an app that has a table
(``Recovery.on_recovery_completed``) by resuming its stream partitions *before* seeking them back to
their committed offsets. The batch fetched in between reaches the agent, the seek rewinds, and the
same worker tags the same records again 0.1-0.4 s later, with no rebalance in between (seen in
tests/integration/test_two_workers.py once the event stage's table joined the worker; apps with no
table take Faust's other path, which seeks first). Remembering the exact offsets this process has
handled drops only that re-delivery. Exact offsets, not a high-water mark: while flow control is
suspended Faust may drop part of a fetched batch, so the offsets an agent sees can have gaps, and
a gap must stay fresh (at-least-once: nothing is skipped that was not handled here).
"""

from __future__ import annotations

from collections import deque

REMEMBERED = 100_000  # per partition: re-deliveries come within seconds, far inside this


class HandledOffsets:
    """The offsets of each (topic, partition) this process has handled, the newest ones."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._remembered = remembered
        self._seen: dict[tuple[str, int], set[int]] = {}
        self._order: dict[tuple[str, int], deque[int]] = {}

    def fresh(self, topic: str, partition: int | None, offset: int | None) -> bool:
        """True unless this process has already handled ``offset`` of that partition.

        >>> h = HandledOffsets(); h.mark("raw", 0, 9); h.fresh("raw", 0, 9), h.fresh("raw", 0, 8)
        (False, True)
        """
        if partition is None or offset is None:
            return True
        return offset not in self._seen.get((topic, partition), ())

    def mark(self, topic: str, partition: int | None, offset: int | None) -> None:
        """Record that ``offset`` of that partition was handled."""
        if partition is None or offset is None:
            return
        key = (topic, partition)
        seen = self._seen.setdefault(key, set())
        if offset in seen:
            return
        order = self._order.setdefault(key, deque())
        seen.add(offset)
        order.append(offset)
        if len(order) > self._remembered:
            seen.discard(order.popleft())
