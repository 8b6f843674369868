"""Records that travel on the topics, as versioned JSON.

Every record carries ``schema`` (``"<name>/<major>"``) so a consumer can reject a record it does not
understand with a clear reason instead of mis-reading it. Records are immutable pydantic models;
``to_bytes``/``from_bytes`` are the only (de)serialisers used on the wire.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from escmon.errors import InputError

SignalType = Literal["strike", "casualties", "retaliation_pledge", "threat", "deescalation"]
SIGNAL_TYPES: tuple[SignalType, ...] = (
    "strike",
    "casualties",
    "retaliation_pledge",
    "threat",
    "deescalation",
)


class RecordError(InputError):
    """A payload is not a valid record of the expected kind (the message says why)."""


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def stable_id(*parts: str) -> str:
    """Return a short stable hash of ``parts`` (hex, 20 chars).

    >>> stable_id("https://example.org/a") == stable_id("https://example.org/a")
    True
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:20]


class Record(BaseModel):
    """Base class: frozen, strict about unknown schema versions, JSON on the wire."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    SCHEMA: ClassVar[str] = "record/1"

    def to_bytes(self) -> bytes:
        """Serialise to compact UTF-8 JSON."""
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def from_bytes(cls, payload: bytes | str) -> Self:
        """Parse ``payload``; raise :class:`RecordError` with a short reason if it is not valid."""
        try:
            record = cls.model_validate_json(payload)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "payload"
            msg = f"invalid {cls.SCHEMA} record: {where}: {first.get('msg')}"
            raise RecordError(msg) from None
        except UnicodeDecodeError as exc:
            msg = f"invalid {cls.SCHEMA} record: not UTF-8 ({exc.reason})"
            raise RecordError(msg) from None
        return record


class Article(Record):
    """One news item as a producer saw it."""

    SCHEMA: ClassVar[str] = "article/1"
    schema_: Literal["article/1"] = Field(default="article/1", alias="schema")
    id: str = Field(min_length=1, description="stable hash of the canonical URL or GUID")
    source: str = Field(min_length=1, description="feed name or file path it came from")
    title: str = ""
    body: str = ""
    url: str | None = None
    published: datetime | None = None
    fetched: datetime
    language: str | None = None
    region: str | None = Field(
        default=None, description="the feed's region hint (config), used when no place is named"
    )
    tags: list[str] = Field(default_factory=list, description="the feed's tags (config)")
    full_text: bool = Field(
        default=False,
        description="the body is the main text of the page behind ``url``, fetched after the "
        "feed item: an update of the record with the same id that carried the feed's summary",
    )
    summary: str | None = Field(
        default=None, description="the feed's summary, kept when ``body`` holds the full text"
    )

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    def to_bytes(self) -> bytes:
        """Serialise with the ``schema`` key (not the Python attribute name)."""
        return self.model_dump_json(by_alias=True).encode("utf-8")

    @property
    def text(self) -> str:
        """Title and body as one text, the unit the tagger reads."""
        return f"{self.title}\n{self.body}" if self.title else self.body


class Signal(BaseModel):
    """One piece of evidence: a span of the text and what it means."""

    model_config = ConfigDict(frozen=True)
    type: SignalType
    text: str
    start: int = Field(ge=0, description="character offset in the tagged text")
    end: int = Field(ge=0)
    sentence: str
    attrs: dict[str, Any] = Field(default_factory=dict)


class Summary(BaseModel):
    """Per-article booleans and counts derived from the signals."""

    model_config = ConfigDict(frozen=True)
    strike: bool = False
    casualties: bool = False
    killed: int | None = None
    wounded: int | None = None
    retaliation_pledge: bool = False
    threat: bool = False
    deescalation: bool = False


class Mention(BaseModel):
    """An actor or place named in the text."""

    model_config = ConfigDict(frozen=True)
    text: str
    name: str = Field(description="canonical name, e.g. 'Quds Force'")
    kind: str = Field(description="country, city, armed_group, force, region, ...")
    country: str | None = None


class ScorePart(BaseModel):
    """How much one signal type added to the score, and why."""

    model_config = ConfigDict(frozen=True)
    type: str
    weight: float
    count: int
    points: float


class Score(BaseModel):
    """An explainable escalation score: ``total`` is the sum of ``parts``."""

    model_config = ConfigDict(frozen=True)
    total: float = 0.0
    parts: list[ScorePart] = Field(default_factory=list)


class Toll(BaseModel):
    """A casualty figure as a range: ``best`` is the one to use, ``low``/``high`` its bounds.

    All three are None when nothing was stated; a single stated number gives low = best = high.
    """

    model_config = ConfigDict(frozen=True)
    low: int | None = None
    best: int | None = None
    high: int | None = None


EventRelation = Literal["main", "other", "earlier", "cumulative", "reacted_to", "unknown"]


class EventFacts(BaseModel):
    """The article's main event as the tagger reads it (``TaggedArticle.event``).

    ``countries`` are where the force landed or the violence happened (not the attacker's home,
    launch sites, mediators, victims' nationalities); ``killed``/``wounded`` count this event
    only (not earlier events, war totals or the attack being answered).
    """

    model_config = ConfigDict(frozen=True)
    kind: str | None = Field(
        default=None, description="main signal type: strike, casualties, deescalation, ..."
    )
    reaction: bool = Field(
        default=False, description="the main event answers an earlier one (retaliation, truce)"
    )
    countries: list[str] = Field(default_factory=list, description="action countries")
    places: list[Mention] = Field(default_factory=list, description="action places")
    killed: Toll = Field(default_factory=Toll)
    wounded: Toll = Field(default_factory=Toll)
    date: dt.date | None = Field(
        default=None, description="event date when the text states it relative to publication"
    )


class TaggedArticle(Record):
    """An article with its escalation signals."""

    SCHEMA: ClassVar[str] = "tagged/1"
    schema_: Literal["tagged/1"] = Field(default="tagged/1", alias="schema")
    id: str
    source: str = ""
    title: str = ""
    url: str | None = None
    published: datetime | None = None
    fetched: datetime | None = None
    signals: list[Signal] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    actors: list[Mention] = Field(default_factory=list)
    places: list[Mention] = Field(default_factory=list)
    theater: str | None = None
    tags: list[str] = Field(default_factory=list, description="the source feed's tags")
    score: Score = Field(default_factory=Score)
    event: EventFacts | None = Field(
        default=None, description="the main event's facts; what event linking and rules use"
    )
    lead: str = Field(
        default="",
        description="the body's first sentences (who, what, where): event linking compares "
        "them with other reports' besides the title and the evidence sentences",
    )
    tagged_at: datetime = Field(default_factory=utcnow)
    tagger: str = ""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    def to_bytes(self) -> bytes:
        """Serialise with the ``schema`` key."""
        return self.model_dump_json(by_alias=True).encode("utf-8")

    @property
    def event_time(self) -> datetime:
        """The time the story happened as far as we know: published, else fetched, else tagged."""
        return self.published or self.fetched or self.tagged_at


class Evidence(BaseModel):
    """A sentence that made an alert fire, with where it came from."""

    model_config = ConfigDict(frozen=True)
    sentence: str
    type: str
    article_id: str
    source: str = ""
    url: str | None = None


class LinkDecision(BaseModel):
    """Why a report joined (or opened) an event: explained, so a wrong merge can be traced."""

    model_config = ConfigDict(frozen=True)
    article_id: str
    action: Literal["opened", "joined", "merged"]
    score: float = 0.0
    reasons: list[str] = Field(default_factory=list)


class EventRecord(Record):
    """One real-world event: the reports of it across outlets, with one place and one toll."""

    SCHEMA: ClassVar[str] = "event/1"
    schema_: Literal["event/1"] = Field(default="event/1", alias="schema")
    id: str = Field(description="stable: the same reports give the same event id")
    revision: int = Field(1, ge=1, description="bumped on every change; the newest wins")
    status: Literal["open", "merged", "closed"] = Field(
        "open", description="merged: its reports now belong to `merged_into`; drop its figures"
    )
    merged_into: str | None = None
    title: str = ""
    kind: str | None = None
    reaction: bool = False
    articles: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="distinct outlets")
    countries: list[str] = Field(default_factory=list)
    places: list[Mention] = Field(default_factory=list)
    theater: str | None = None
    killed: Toll = Field(default_factory=Toll)
    wounded: Toll = Field(default_factory=Toll)
    signals: list[SignalType] = Field(default_factory=list)
    score: float = 0.0
    date: dt.date | None = None
    first_seen: datetime
    last_seen: datetime
    evidence: list[Evidence] = Field(default_factory=list)
    links: list[LinkDecision] = Field(default_factory=list)
    first_fetched: datetime | None = None

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    def to_bytes(self) -> bytes:
        """Serialise with the ``schema`` key."""
        return self.model_dump_json(by_alias=True).encode("utf-8")


class Alert(Record):
    """A rule fired (or resolved) for a group over a window."""

    SCHEMA: ClassVar[str] = "alert/1"
    schema_: Literal["alert/1"] = Field(default="alert/1", alias="schema")
    id: str = Field(description="stable: same rule, group, window and severity give the same id")
    rule: str
    severity: str
    status: Literal["firing", "resolved"] = "firing"
    group: str
    window_start: datetime
    window_end: datetime
    figures: dict[str, float] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)
    article_ids: list[str] = Field(default_factory=list)
    event_ids: list[str] = Field(
        default_factory=list, description="rules over events: the events that made it fire"
    )
    sources: list[str] = Field(
        default_factory=list, description="rules over events: the distinct outlets reporting them"
    )
    first_fetched: datetime | None = Field(
        default=None, description="earliest fetch time of the articles, for end-to-end latency"
    )
    fired_at: datetime = Field(default_factory=utcnow)
    summary: str = ""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    def to_bytes(self) -> bytes:
        """Serialise with the ``schema`` key."""
        return self.model_dump_json(by_alias=True).encode("utf-8")


class DeadLetter(Record):
    """Something a stage could not handle, kept with the reason so nothing is silently lost."""

    SCHEMA: ClassVar[str] = "deadletter/1"
    schema_: Literal["deadletter/1"] = Field(default="deadletter/1", alias="schema")
    stage: str
    reason: str
    source: str = ""
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    payload: str = Field(default="", description="the raw input, truncated to the configured cap")
    truncated: bool = False
    at: datetime = Field(default_factory=utcnow)

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    def to_bytes(self) -> bytes:
        """Serialise with the ``schema`` key."""
        return self.model_dump_json(by_alias=True).encode("utf-8")

    @classmethod
    def of(
        cls,
        *,
        stage: str,
        reason: str,
        payload: bytes | str,
        cap: int = 64_000,
        **where: Any,
    ) -> DeadLetter:
        """Build a dead letter; ``payload`` is decoded leniently and cut to ``cap`` chars."""
        text = (
            payload.decode("utf-8", "backslashreplace") if isinstance(payload, bytes) else payload
        )
        truncated = len(text) > cap
        return cls(stage=stage, reason=reason, payload=text[:cap], truncated=truncated, **where)
