"""When a stage that is alive but never ready must be restarted: pure logic, clock injected.

A Faust stage can get stuck after a rebalance: the process runs, /healthz answers, but /readyz
stays 503 and nothing is processed. The supervisor only notices processes that exit, so it feeds
what each stage's /readyz said into a :class:`ReadinessWatchdog`, which says when a stage has been
not ready for longer than the limit. The timer starts at the stage's (re)start, so a stage that
never becomes ready after starting is caught too; the limit must therefore be longer than a cold
start.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass


class Readiness(enum.Enum):
    """What a stage's /readyz said."""

    READY = "ready"
    NOT_READY = "not ready"
    #: No HTTP answer at all (refused, timed out): a stopped or hung process, or one still starting.
    NO_ANSWER = "no answer"


@dataclass(frozen=True)
class Restart:
    """The watchdog's verdict: restart ``stage``, not ready for ``unready_for`` seconds."""

    stage: str
    unready_for: float
    last: Readiness


class ReadinessWatchdog:
    """Tracks, per stage, since when it has been continuously not ready.

    ``limit`` is in seconds; 0 disables the watchdog (it never asks for a restart).
    """

    def __init__(self, limit: float, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 0:
            msg = f"limit must be >= 0 seconds (0 disables), got {limit}"
            raise ValueError(msg)
        self.limit = limit
        self.clock = clock
        # stage -> start of its current not-ready spell (None: ready at the last observation).
        # A stage missing here is not watched: never started, or being restarted.
        self._unready_since: dict[str, float | None] = {}

    @property
    def enabled(self) -> bool:
        """False when the limit is 0."""
        return self.limit > 0

    def started(self, stage: str) -> None:
        """The stage was (re)started now; its start-up counts as not ready until it says ready."""
        self._unready_since[stage] = self.clock()

    def forget(self, stage: str) -> None:
        """Stop watching ``stage`` (it exited; :meth:`started` watches it again)."""
        self._unready_since.pop(stage, None)

    def watching(self, stage: str) -> bool:
        """Whether ``stage`` is watched (started and not already given up on)."""
        return stage in self._unready_since

    def unready_for(self, stage: str) -> float:
        """Seconds the stage has been continuously not ready (0 when ready or not watched)."""
        since = self._unready_since.get(stage)
        return 0.0 if since is None else max(0.0, self.clock() - since)

    def observe(
        self, stage: str, readiness: Readiness, *, broker_reachable: bool = True
    ) -> Restart | None:
        """Record one observation; a :class:`Restart` when the stage was unready too long.

        While the broker is unreachable a not-ready stage is expected and a restart cannot
        help (a long outage would otherwise restart every stage once per window): its spell
        starts again, so it gets the whole window once the broker is back.

        After a restart verdict the stage is no longer watched (further observations are
        ignored) until :meth:`started` is called for its new process.
        """
        if stage not in self._unready_since:
            return None
        now = self.clock()
        if readiness is Readiness.READY:
            self._unready_since[stage] = None
            return None
        if not broker_reachable:
            self._unready_since[stage] = now
            return None
        since = self._unready_since[stage]
        if since is None:
            self._unready_since[stage] = since = now
        unready = now - since
        if self.enabled and unready > self.limit:
            del self._unready_since[stage]
            return Restart(stage, unready, readiness)
        return None
