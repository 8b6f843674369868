"""Alert rules as data: a YAML file validated at load, with one clear line per error.

A rule file looks like::

    rules:
      - name: deadly-strike            # any: one article matching `where` fires
        type: any
        where: {signals: [strike], min_killed: 1}
        metric: killed                 # the value the severities compare against
        severities: {warning: 1, critical: 10}
      - name: escalation-score         # threshold: a metric over an event-time window
        type: threshold
        metric: score
        window: 3600
        severities: {warning: 10, critical: 25}
        resolved: true

Rule types: ``any``, ``threshold``, ``spike`` (the current window's count against the trailing
baseline), ``sequence`` (an article matching ``first``, then one matching ``then`` within
``within`` seconds). Every rule is evaluated per group (``group_by``).

``source: events`` makes a rule read ``event/1`` records (one per real-world event, however many
outlets reported it) instead of tagged articles; docs/rules-over-events.md says what each key
means then. ``articles`` stays the default so older rule files keep their meaning.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from escmon.errors import ConfigError
from escmon.models import SIGNAL_TYPES, EventRecord, SignalType, TaggedArticle

GroupBy = Literal["theater", "country", "actor_pair", "global"]
Source = Literal["articles", "events"]
Metric = Literal[
    "score",
    "killed",
    "articles",
    "sources",
    "events",
    "strike",
    "casualties",
    "retaliation_pledge",
    "threat",
    "deescalation",
]


class RulesError(ConfigError):
    """The rule file is unusable; the message is one line naming the rule and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """What an article must show to count for a rule (all given parts must hold)."""

    signals: list[SignalType] = Field(
        default_factory=list, description="signal types that must all be present"
    )
    any_signals: list[SignalType] = Field(
        default_factory=list, description="at least one of these must be present"
    )
    min_killed: int | None = Field(None, ge=0, description="reported killed at least this")
    min_score: float | None = Field(None, description="article score at least this")
    min_sources: int | None = Field(
        None, ge=1, description="events: reported by at least this many distinct outlets"
    )

    def matches(self, article: TaggedArticle) -> bool:
        """True when ``article`` satisfies every part of the condition."""
        s = article.summary
        present = {sig for sig in SIGNAL_TYPES if getattr(s, sig)}
        return self.holds(present, s.killed or 0, article.score.total)

    def matches_event(self, event: EventRecord) -> bool:
        """True when ``event`` satisfies every part (its toll is ``killed.best``)."""
        return self.holds(
            event.signals, event.killed.best or 0, event.score, len(set(event.sources))
        )

    def describe(self) -> str:
        """A short human form, e.g. ``strike+retaliation_pledge, killed>=10``."""
        parts = ["+".join(self.signals)] if self.signals else []
        if self.any_signals:
            parts.append("any of " + "/".join(self.any_signals))
        if self.min_killed is not None:
            parts.append(f"killed>={self.min_killed}")
        if self.min_score is not None:
            parts.append(f"score>={self.min_score:g}")
        if self.min_sources is not None:
            parts.append(f"sources>={self.min_sources}")
        return ", ".join(parts) or "any article"

    def holds(self, signals: Iterable[str], killed: int, score: float, sources: int = 1) -> bool:
        """The same test on remembered features (signal types, killed, score, outlets).

        An article is one outlet's report, so it counts as one source.
        """
        if self.min_sources is not None and sources < self.min_sources:
            return False
        present = set(signals)
        if not present.issuperset(self.signals):
            return False
        if self.any_signals and present.isdisjoint(self.any_signals):
            return False
        if self.min_killed is not None and killed < self.min_killed:
            return False
        return self.min_score is None or score >= self.min_score


class Rule(_Strict):
    """One rule; see the module docstring for the types."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")
    type: Literal["any", "threshold", "spike", "sequence"]
    source: Source = Field(
        "articles", description="what the rule reads: tagged articles or event records"
    )
    group_by: GroupBy = "theater"
    where: Condition = Field(default_factory=Condition)
    metric: Metric = Field(
        "articles", description="threshold: aggregated over the window; any: the article's value"
    )
    window: float = Field(3600, gt=0, description="seconds of event time")
    severities: dict[str, float] = Field(
        default_factory=dict, description="severity name -> value at or above which it applies"
    )
    severity: str | None = Field(None, description="a fixed severity (instead of severities)")
    for_: float = Field(
        0, ge=0, alias="for", description="seconds the condition must hold before firing"
    )
    realert: float = Field(
        3600, ge=0, description="seconds after a notification before the same rule+group again"
    )
    resolved: bool = Field(False, description="send a resolved message when it stops holding")
    hold: float = Field(
        0,
        ge=0,
        description="any over events: seconds after an event's first report before its first "
        "alert, so other outlets' reports can join it (like Alertmanager's group_wait)",
    )
    # spike
    baseline: int = Field(6, ge=1, description="spike: trailing windows averaged as baseline")
    min_count: int = Field(3, ge=1, description="spike: fewest articles in the window to fire")
    # sequence
    first: Condition | None = None
    then: Condition | None = None
    within: float = Field(3600, gt=0, description="sequence: seconds from first to then")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if bool(self.severities) == bool(self.severity):
            msg = "give either severities (name: value) or one fixed severity"
            raise ValueError(msg)
        if self.type == "sequence" and (self.first is None or self.then is None):
            msg = "a sequence rule needs both first and then"
            raise ValueError(msg)
        if self.type != "sequence" and (self.first is not None or self.then is not None):
            msg = f"first/then only apply to sequence rules, not {self.type}"
            raise ValueError(msg)
        if self.type in ("any", "sequence") and (self.for_ or self.resolved):
            msg = f"for and resolved apply to windowed rules (threshold, spike), not {self.type}"
            raise ValueError(msg)
        if self.hold and (self.type != "any" or self.source != "events"):
            msg = "hold applies to any rules over events (source: events)"
            raise ValueError(msg)
        if self.source == "events" and self.group_by == "actor_pair":
            msg = "event records name no actors: group events by theater, country or global"
            raise ValueError(msg)
        if self.source == "articles" and self.metric == "events":
            msg = "metric events needs source: events (articles are not linked into events)"
            raise ValueError(msg)
        conditions = [self.where, self.first, self.then]
        if self.source == "articles" and any(c and c.min_sources for c in conditions):
            msg = "min_sources needs source: events (an article is one outlet's report)"
            raise ValueError(msg)
        return self

    @property
    def on_events(self) -> bool:
        """True when the rule reads event records."""
        return self.source == "events"

    @property
    def levels(self) -> list[tuple[float, str]]:
        """Severity thresholds in ascending order (a fixed severity always applies)."""
        if self.severity:
            return [(float("-inf"), self.severity)]
        return sorted((v, k) for k, v in self.severities.items())

    def severity_for(self, value: float) -> str | None:
        """The highest severity whose threshold ``value`` reaches, or None."""
        hit = [name for threshold, name in self.levels if value >= threshold]
        return hit[-1] if hit else None

    def rank(self, severity: str | None) -> int:
        """Position of ``severity`` among the rule's levels (-1 for none or unknown)."""
        names = [name for _, name in self.levels]
        return names.index(severity) if severity in names else -1

    @property
    def retention(self) -> float:
        """How much event time of articles the rule needs to look back on."""
        if self.type == "sequence":
            return self.within
        if self.type == "spike":
            return self.window * (self.baseline + 1)
        return self.window


class Inhibit(_Strict):
    """A firing alert of ``source`` severity mutes new ``target`` alerts of the same group."""

    source: str = "critical"
    target: list[str] = Field(default_factory=lambda: ["warning"])


class RuleSet(_Strict):
    """All rules of a file, plus the settings they share."""

    rules: list[Rule] = Field(min_length=1)
    inhibit: Inhibit | None = Field(default_factory=Inhibit)
    max_articles: int = Field(
        300, ge=10, description="articles remembered per group (bounds the state)"
    )
    max_events: int = Field(
        300, ge=10, description="events remembered per group (bounds the state)"
    )
    figures_window: float = Field(
        3600, gt=0, description="seconds behind the newest article for the per-group gauges"
    )

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        names = [r.name for r in self.rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            msg = f"rule names must be unique: {', '.join(dupes)}"
            raise ValueError(msg)
        return self

    @cached_property
    def retention(self) -> float:
        """Event time the group state keeps articles for (the longest look-back of any rule)."""
        # A spike keeps its own per-window counts, so only its current window needs articles.
        spans = [r.window if r.type == "spike" else r.retention for r in self.rules]
        return max([*spans, self.figures_window])

    @cached_property
    def reads_articles(self) -> bool:
        """True when some rule reads tagged articles."""
        return any(not r.on_events for r in self.rules)

    @cached_property
    def reads_events(self) -> bool:
        """True when some rule reads event records."""
        return any(r.on_events for r in self.rules)

    def rule(self, name: str) -> Rule:
        """The rule called ``name``."""
        for r in self.rules:
            if r.name == name:
                return r
        msg = f"no rule named {name!r}"
        raise KeyError(msg)

    @classmethod
    def from_yaml(cls, text: str, name: str = "rules.yaml") -> RuleSet:
        """Parse and validate; raise :class:`RulesError` with one line naming rule and key."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "invalid YAML"
            msg = f"{name}: YAML error{where}: {problem}"
            raise RulesError(msg) from None
        if not isinstance(data, dict):
            msg = f"{name}: expected a mapping with a 'rules' list at the top level"
            raise RulesError(msg)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise RulesError(_one_line(exc, data, name)) from None

    @classmethod
    def load(cls, path: Path | str) -> RuleSet:
        """Read and validate a rule file."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            msg = f"{p}: cannot read rules: {exc.strerror}"
            raise RulesError(msg) from None
        return cls.from_yaml(text, str(p))


def _one_line(exc: ValidationError, data: dict[str, Any], source: str) -> str:
    """``FILE: rule 'NAME': KEY: message (got X)`` for the first error."""
    err = exc.errors()[0]
    loc = list(err.get("loc", ()))
    where = ".".join(str(p) for p in loc) or "(top level)"
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules") or []
        rule = rules[loc[1]] if loc[1] < len(rules) else {}
        label = rule.get("name") if isinstance(rule, dict) else None
        key = ".".join(str(p) for p in loc[2:]) or "(rule)"
        where = f"rule {label!r}: {key}" if label else f"rule #{loc[1] + 1}: {key}"
    given = err.get("input")
    shown = "" if isinstance(given, dict | list) or given is None else f" (got {given!r})"
    text = str(err.get("msg", "")).removeprefix("Value error, ")
    more = f" [+{exc.error_count() - 1} more]" if exc.error_count() > 1 else ""
    return f"{source}: {where}: {text}{shown}{more}"
