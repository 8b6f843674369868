"""``escmon rules check|test``."""

from __future__ import annotations

from typing import TextIO

from alerts.engine import group_keys, step
from alerts.rules import RulesError, RuleSet
from escmon.models import RecordError, TaggedArticle


def rules_check(path: str, out: TextIO, err: TextIO) -> int:
    """Validate a rule file."""
    try:
        rules = RuleSet.load(path)
    except RulesError as exc:
        err.write(f"escmon rules: {exc}\n")
        return 2
    out.write(f"ok: {len(rules.rules)} rules ({', '.join(r.name for r in rules.rules)})\n")
    return 0


def rules_test(rules_path: str, tagged_path: str, out: TextIO, err: TextIO) -> int:
    """Replay tagged articles in event time and print the alerts that would fire."""
    try:
        rules = RuleSet.load(rules_path)
    except RulesError as exc:
        err.write(f"escmon rules: {exc}\n")
        return 2
    articles: list[TaggedArticle] = []
    bad = 0
    with open(tagged_path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                articles.append(TaggedArticle.from_bytes(line))
            except RecordError as exc:
                bad += 1
                err.write(f"escmon rules: {tagged_path}: line {n}: {exc}\n")
    states: dict[str, dict[str, object]] = {}
    for article in sorted(articles, key=lambda a: a.event_time):
        for key in group_keys(rules, article):
            states[key], fired = step(rules, key, states.get(key), article, article.event_time)
            for alert in fired:
                out.write(alert.to_bytes().decode() + "\n")
    return 1 if bad else 0
