"""Rule evaluation as pure functions over tagged articles and a JSON-able state per group key."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from alerts.rules import Rule, RuleSet
from escmon.models import Alert, Evidence, TaggedArticle, stable_id


def group_keys(ruleset: RuleSet, article: TaggedArticle) -> list[str]:
    """The group keys an article belongs to, for the rules' ``group_by``."""
    keys: set[str] = set()
    for rule in ruleset.rules:
        if rule.group_by == "global":
            keys.add("global")
        elif rule.group_by == "theater" and article.theater:
            keys.add(f"theater:{article.theater}")
        elif rule.group_by == "country":
            keys.update(f"country:{m.country}" for m in article.places if m.country)
    return sorted(keys)


def _value(rule: Rule, article: TaggedArticle) -> float:
    s = article.summary
    if rule.metric == "score":
        return article.score.total
    if rule.metric == "killed":
        return float(s.killed or 0)
    if rule.metric == "strike":
        return 1.0 if s.strike else 0.0
    return 1.0


def _severity(rule: Rule, value: float) -> str | None:
    hit = [(v, name) for name, v in rule.severities.items() if value >= v]
    return max(hit)[1] if hit else None


def _applies(rule: Rule, key: str) -> bool:
    return key == "global" if rule.group_by == "global" else key.startswith(rule.group_by + ":")


def step(
    ruleset: RuleSet,
    key: str,
    state: dict[str, Any] | None,
    article: TaggedArticle,
    now: datetime,
) -> tuple[dict[str, Any], list[Alert]]:
    """Add one article to the group's state; return the new state and the alerts it fires."""
    state = dict(state or {})
    seen = list(state.get("seen", []))
    if article.id in seen:
        return state, []
    seen.append(article.id)
    state["seen"] = seen[-1000:]
    fired: list[Alert] = []
    t = article.event_time
    for rule in ruleset.rules:
        if not _applies(rule, key):
            continue
        if any(not getattr(article.summary, flag) for flag in rule.requires):
            continue
        rs = dict(state.get(rule.name, {}))
        start = t - timedelta(seconds=t.timestamp() % rule.window)
        if rule.type == "any":
            value = _value(rule, article)
            window = [article]
        else:
            if rs.get("window_start") != start.isoformat():
                rs = {"window_start": start.isoformat(), "value": 0.0, "last": None}
            rs["value"] = float(rs.get("value", 0.0)) + _value(rule, article)
            value = rs["value"]
            window = [article]
        severity = _severity(rule, value)
        order = list(rule.severities)
        last = rs.get("last")
        if severity and (
            last is None or order.index(severity) > order.index(last) or rule.type == "any"
        ):
            rs["last"] = severity
            fired.append(_alert(rule, key, severity, start, window, value, now))
        state[rule.name] = rs
    return state, fired


def tick(
    ruleset: RuleSet, key: str, state: dict[str, Any] | None, now: datetime
) -> tuple[dict[str, Any], list[Alert]]:
    """Time passing; this first version has no pending or resolve logic."""
    return dict(state or {}), []


def _alert(
    rule: Rule,
    key: str,
    severity: str,
    start: datetime,
    articles: list[TaggedArticle],
    value: float,
    now: datetime,
) -> Alert:
    a = articles[-1]
    evidence = [
        Evidence(sentence=s.sentence, type=s.type, article_id=a.id, source=a.source, url=a.url)
        for s in a.signals[:3]
    ]
    return Alert(
        id=stable_id(
            rule.name, key, start.isoformat(), severity, a.id if rule.type == "any" else ""
        ),
        rule=rule.name,
        severity=severity,
        group=key,
        window_start=start,
        window_end=start + timedelta(seconds=rule.window),
        figures={
            "value": value,
            "killed": float(a.summary.killed or 0),
            "score": a.score.total,
            "strikes": float(a.summary.strike),
        },
        evidence=evidence,
        article_ids=[x.id for x in articles],
        first_fetched=min((x.fetched for x in articles if x.fetched), default=None),
        fired_at=now,
        summary=f"{rule.name} {severity} for {key}: {rule.metric} {value:g}",
    )
