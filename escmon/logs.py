"""Logging set up in one place: plain lines for people, JSON lines for log shippers.

Two filters sit on the one handler, so they see every line from every library:
:class:`RedactSecrets` replaces configured secrets (libraries such as apprise log webhook URLs and
tokens at DEBUG), and :class:`StartupRetries` demotes the retryable errors a client logs while a
fresh broker is still electing its coordinators.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable

from pythonjsonlogger.json import JsonFormatter

from escmon.secrets import MASK

PLAIN = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

#: What aiokafka logs at WARNING or ERROR while it retries by itself: on a broker that has just
#: started (group coordinator not elected or moving, partition leaders not known yet, the first
#: rebalance) these are expected and go away on their own. Matched in the message text.
RETRYABLE_AT_START = (
    "GroupCoordinatorNotAvailableError",
    "CoordinatorNotAvailableError",
    "NotCoordinatorForGroupError",
    "NotCoordinatorError",
    "CoordinatorLoadInProgressError",
    "LeaderNotAvailableError",
    "NotLeaderForPartitionError",
    "UnknownTopicOrPartitionError",
    "Marking the coordinator dead",
    "is either not started or not valid",
    "obsolete coordinator information",
    "because it is rebalancing",
)
#: Seconds after the logging set-up during which those errors are demoted; after that a broker
#: that keeps failing is a real problem and they show at their own level.
STARTUP_GRACE = 120.0


class RedactSecrets(logging.Filter):
    """Replace each secret string in a record's message (and its traceback) with the mask."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a whole URL is masked before a token inside it is.
        self.secrets = sorted(set(secrets), key=len, reverse=True)

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = self._redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
            # Formatters would render exc_info again, unredacted; exc_text is what they show.
            record.exc_info = None
        return True


class StartupRetries(logging.Filter):
    """Demote known-retryable client errors to DEBUG during start-up, counting them.

    A real failure still shows: other errors are untouched, and after ``grace`` seconds these
    too keep their level. :meth:`summary` says how many were demoted, for one INFO line.
    """

    def __init__(
        self,
        grace: float = STARTUP_GRACE,
        clock: Callable[[], float] = time.monotonic,
        prefixes: tuple[str, ...] = ("aiokafka", "kafka"),
    ) -> None:
        super().__init__()
        self.clock = clock
        self.until = clock() + grace
        self.prefixes = prefixes
        self.demoted: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Demote (and maybe drop, below the handler's level) a retryable start-up error."""
        if record.levelno < logging.WARNING or not record.name.startswith(self.prefixes):
            return True
        if self.clock() > self.until:
            return True
        message = record.getMessage()
        kind = next((k for k in RETRYABLE_AT_START if k in message), None)
        if kind is None:
            return True
        self.demoted[kind] += 1
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        # The handler's level was checked before its filters ran: drop what it would not show.
        return logging.getLogger().getEffectiveLevel() <= logging.DEBUG

    def summary(self) -> str | None:
        """``retryable broker errors while starting (logged at DEBUG): Kind xN, ...`` or None."""
        if not self.demoted:
            return None
        kinds = ", ".join(f"{k} x{n}" for k, n in sorted(self.demoted.items()))
        return f"retryable broker errors while starting, logged at DEBUG: {kinds}"


_startup: StartupRetries | None = None


def startup_summary() -> str | None:
    """What the start-up filter demoted so far (None if nothing, or logging not configured)."""
    return _startup.summary() if _startup is not None else None


def configure(
    level: str = "INFO",
    json_format: bool = False,
    process: str = "escmon",
    secrets: Iterable[str] = (),
) -> None:
    """Send log records to stderr; quiet the chattiest libraries; never show ``secrets``."""
    global _startup
    handler = logging.StreamHandler(sys.stderr)
    if json_format:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"levelname": "level", "asctime": "time"},
                static_fields={"process_name": process},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(PLAIN.replace("%(name)s", f"{process} %(name)s")))
    _startup = StartupRetries()
    handler.addFilter(_startup)
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("kafka", "aiokafka", "faust", "mode", "apprise"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
