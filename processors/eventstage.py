"""What the event agents do with one tagged article, without Kafka (pure given the linker).

The linking core (:mod:`processors.linking`) keeps the open events of one routing key (an action
country) and turns a report into event revisions. This module adds what the stream needs around
it: the per-key state as it is kept in the Faust table (the open events plus the newest event time
seen on that key), pruning by event time, decoding with a reason, and naming what each published
revision is for the metrics.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from escmon.models import EventRecord, RecordError, TaggedArticle

STAGE = "events"
STATE_VERSION = 1


class OpenEventsLike(Protocol):
    """The part of :class:`processors.linking.OpenEvents` the stage uses."""

    def add(self, article: TaggedArticle) -> list[EventRecord]:
        """Link one report; return the new revisions it gives (none for a redelivery)."""
        ...

    def prune(self, before: datetime) -> list[EventRecord]:
        """Close the events older than ``before`` (event time); return them."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The open events as plain JSON data."""
        ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class Linker:
    """The linking core as the stage calls it; injected so the shell can be tested on its own."""

    routing_key: Callable[[TaggedArticle], str | None]
    new: Callable[[], OpenEventsLike]
    load: Callable[[dict[str, Any]], OpenEventsLike]


def default_linker() -> Linker:
    """The real linking core, :mod:`processors.linking`."""
    from processors.linking import OpenEvents, routing_key

    return Linker(routing_key, OpenEvents, OpenEvents.from_json)


class StateError(ValueError):
    """A key's stored state cannot be read back (the message says why)."""


@dataclass
class KeyState:
    """The open events of one routing key and the newest event time seen on it."""

    events: OpenEventsLike
    newest: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain data for the table (its changelog is JSON)."""
        return {
            "v": STATE_VERSION,
            "newest": self.newest.isoformat() if self.newest else None,
            "open": len(self.events),
            "events": self.events.to_json(),
        }

    @classmethod
    def load(cls, data: Mapping[str, Any] | None, linker: Linker) -> KeyState:
        """Rebuild from :meth:`to_json` output; ``None`` (a key never seen) gives empty state."""
        if data is None:
            return cls(linker.new())
        if not isinstance(data, Mapping) or data.get("v") != STATE_VERSION:
            got = data.get("v") if isinstance(data, Mapping) else type(data).__name__
            msg = f"event state version {got!r}, expected {STATE_VERSION}"
            raise StateError(msg)
        try:
            newest = datetime.fromisoformat(data["newest"]) if data.get("newest") else None
            events = linker.load(data["events"])
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"event state unreadable: {type(exc).__name__}: {exc}"
            raise StateError(msg) from None
        return cls(events, newest)


Change = Literal["opened", "updated", "merged", "closed"]


@dataclass(frozen=True)
class Step:
    """What one article did to its key: revisions from linking, then events closed by pruning."""

    linked: list[EventRecord]
    closed: list[EventRecord]
    late: bool = False
    changes: list[Change] = field(default_factory=list)

    @property
    def published(self) -> list[EventRecord]:
        """Every record to publish, in order: a closed event's last word comes after its update."""
        return [*self.linked, *self.closed]


def change_of(record: EventRecord, *, closing: bool = False) -> Change:
    """Name what a published revision is, for the metrics."""
    if closing or record.status == "closed":
        return "closed"
    if record.status == "merged":
        return "merged"
    return "opened" if record.revision == 1 else "updated"


def step(state: KeyState, article: TaggedArticle, horizon: timedelta) -> Step:
    """Link ``article`` into ``state`` (changed in place), then prune by event time.

    The clock is the newest event time seen on the key, never the wall clock: a replayed backlog
    is linked as it was live, and a quiet key keeps its events until its next report. A report
    older than the horizon (``late``) is still linked; it finds no closed event to join, so it
    opens one that the same prune closes at once.
    """
    when = article.event_time
    late = state.newest is not None and when < state.newest - horizon
    linked = state.events.add(article)
    # The linker's own clock (its reports' event time) when it keeps one, so that pruning and
    # the horizon measure the same time; else the article's.
    mark = getattr(state.events, "watermark", None) or when
    newest = state.newest if state.newest is not None and state.newest > mark else mark
    closed = state.events.prune(newest - horizon)
    state.newest = newest
    changes = [change_of(r) for r in linked] + [change_of(r, closing=True) for r in closed]
    return Step(linked, closed, late, changes)


def decode(value: bytes | None) -> TaggedArticle | str:
    """The tagged article in ``value``, or the reason it cannot be read."""
    if not value:
        return "empty message"
    try:
        return TaggedArticle.from_bytes(value)
    except RecordError as exc:
        return str(exc)


# The linker's reasons start with a fixed phrase and go on with names, numbers and ids; the
# metric label is the phrase, so the label set stays bounded ("with <article id>" says which
# member matched: not a reason of its own).
REASON_LABELS: tuple[tuple[str, str | None], ...] = (
    ("same day", "same day"),
    ("dates ", "dates apart"),
    ("no date", "no date"),
    ("text ", "text"),
    ("shared names", "shared names"),
    ("headlines share", "headlines share"),
    ("shared place", "shared place"),
    ("same toll figure", "same toll figure"),
    ("one is a reaction", "reaction vs not"),
    ("kinds differ", "kinds differ"),
    ("updated report", "updated report"),
    ("bridges ", "bridges"),
    ("no open event", None),
    ("with ", None),
)


def reason_label(reason: str) -> str | None:
    """A bounded metric label for one of the linker's reasons; None for one not counted.

    >>> reason_label("shared place Kharkiv, Izium")
    'shared place'
    >>> reason_label("text 0.62 (14 words shared)")
    'text'
    >>> reason_label("with 8f2a…") is None
    True
    """
    for prefix, label in REASON_LABELS:
        if reason.startswith(prefix):
            return label
    return "other"


def decision_labels(records: Iterable[EventRecord], article_id: str) -> list[str]:
    """The reasons behind the decision on ``article_id``, one label each (a decision repeated in
    several revisions, say the merged-away event and the one it merged into, counts once)."""
    labels: list[str] = []
    seen: set[tuple[str, float, tuple[str, ...]]] = set()
    for record in records:
        for decision in record.links:
            if decision.article_id != article_id:
                continue
            mark = (decision.action, decision.score, tuple(decision.reasons))
            if mark in seen:
                continue
            seen.add(mark)
            if decision.action == "opened":
                labels.append("opened")
                continue
            found = [x for x in (reason_label(r) for r in decision.reasons) if x is not None]
            labels.extend(found or [decision.action])
    return labels


def encode_state(state: KeyState) -> bytes:
    """The table value of a key: its state as compact JSON bytes (sized before it is sent)."""
    return json.dumps(state.to_json(), separators=(",", ":")).encode("utf-8")


def decode_state(blob: bytes | None, linker: Linker) -> KeyState:
    """Inverse of :func:`encode_state`; ``None`` (a key never seen) gives empty state."""
    if blob is None:
        return KeyState.load(None, linker)
    try:
        data = json.loads(blob)
    except (ValueError, TypeError) as exc:
        msg = f"event state unreadable: {type(exc).__name__}: {exc}"
        raise StateError(msg) from None
    return KeyState.load(data, linker)


@dataclass
class KeyBatch:
    """What a batch of one key's articles gave: steps, failures, and the state to store."""

    state: KeyState
    steps: list[tuple[int, Step]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    overflow: list[EventRecord] = field(default_factory=list)
    blob: bytes = b""

    @property
    def published(self) -> list[EventRecord]:
        """Every record to publish, in the order the articles gave them."""
        return [r for _, s in self.steps for r in s.published] + self.overflow

    @property
    def changes(self) -> list[Change]:
        """What each published record is, for the metrics."""
        closed: list[Change] = ["closed"] * len(self.overflow)
        return [c for _, s in self.steps for c in s.changes] + closed


def link_key(
    load: Callable[[], KeyState],
    articles: list[TaggedArticle],
    horizon: timedelta,
    max_bytes: int,
) -> KeyBatch:
    """Link a key's articles in order on the state ``load`` gives; one failure costs one article.

    An article that makes the linker raise may have left the state half-changed, so the state is
    loaded again and the articles before it are linked again (the linker is deterministic: the
    same revisions come out), and the failed one is skipped with its reason. When the stored
    state would exceed ``max_bytes`` (a Kafka message must hold it), the key's older events are
    closed early: first all but the newest, then all.
    """
    skip: dict[int, str] = {}
    while True:
        state = load()
        batch = KeyBatch(state)
        try:
            for i, article in enumerate(articles):
                if i in skip:
                    continue
                current = i
                batch.steps.append((i, step(state, article, horizon)))
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the stream
            skip[current] = f"linker error: {type(exc).__name__}: {exc}"
            continue
        break
    batch.failed = sorted(skip.items())
    blob = encode_state(state)
    if len(blob) > max_bytes and state.newest is not None:
        for before in (state.newest, state.newest + timedelta(seconds=1)):
            batch.overflow += state.events.prune(before)
            blob = encode_state(state)
            if len(blob) <= max_bytes:
                break
    batch.blob = blob
    return batch
