"""``escmon rules check|test``: validate a rule file; replay tagged articles or event records
through it."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import TextIO

from alerts.replay import Record, replay
from alerts.rules import RulesError, RuleSet
from escmon.models import EventRecord, RecordError, TaggedArticle

PROGRESS_EVERY = 2.0  # seconds between progress lines on stderr


def rules_check(path: str, out: TextIO, err: TextIO) -> int:
    """Validate a rule file: 0 and a summary when usable, 2 and one line naming the problem."""
    try:
        rules = RuleSet.load(path)
    except RulesError as exc:
        err.write(f"escmon rules: {exc}\n")
        return 2
    names = ", ".join(f"{r.name} ({r.type})" for r in rules.rules)
    out.write(f"ok: {len(rules.rules)} rules: {names}\n")
    return 0


def rules_test(
    rules_path: str,
    tagged_path: str,
    out: TextIO,
    err: TextIO,
    *,
    until: str | None = None,
) -> int:
    """Replay tagged articles and/or event records in event time; print one Alert JSON a line.

    Each line is read by its ``schema``: ``event/1`` lines are event revisions (the newest of an
    event replaces its earlier figures), anything else must be a ``tagged/1`` article.

    ``until``: an ISO time to let time run to after the last article, or ``end`` to let every
    window close (resolved alerts show). Exit 0, 1 when some lines were unreadable, 2 on bad rules.
    """
    try:
        rules = RuleSet.load(rules_path)
    except RulesError as exc:
        err.write(f"escmon rules: {exc}\n")
        return 2
    stop: datetime | None = None
    if until and until != "end":
        try:
            stop = datetime.fromisoformat(until)
        except ValueError:
            err.write(f"escmon rules: --until: not an ISO time or 'end': {until!r}\n")
            return 2
        if stop.tzinfo is None:
            err.write("escmon rules: --until: give a timezone, e.g. 2026-01-01T00:00+00:00\n")
            return 2
    articles: list[Record] = []
    events = 0
    bad = 0
    started = last = time.monotonic()
    try:
        fh = open(tagged_path, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        err.write(f"escmon rules: {tagged_path}: {exc.strerror}\n")
        return 2
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = _record(line)
            except RecordError as exc:
                bad += 1
                err.write(f"escmon rules: {tagged_path}: line {n}: {exc}\n")
            else:
                articles.append(record)
                events += isinstance(record, EventRecord)
            if time.monotonic() - last >= PROGRESS_EVERY:
                last = time.monotonic()
                err.write(f"escmon rules: read {n} lines\n")
    fired = 0
    for done, alert in enumerate(replay(rules, articles, until=stop, flush=until == "end"), 1):
        out.write(alert.to_bytes().decode() + "\n")
        fired = done
        if time.monotonic() - last >= PROGRESS_EVERY:
            last = time.monotonic()
            err.write(f"escmon rules: {fired} alerts so far\n")
    seconds = time.monotonic() - started
    err.write(
        f"escmon rules: {len(articles) - events} articles, {events} event records, {fired} alerts, "
        f"{bad} unreadable lines ({seconds:.1f} s)\n"
    )
    return 1 if bad else 0


def _record(line: str) -> Record:
    """An event record or a tagged article, told apart by the line's ``schema``."""
    try:
        schema = json.loads(line).get("schema")
    except (ValueError, AttributeError):
        schema = None
    if schema == EventRecord.SCHEMA:
        return EventRecord.from_bytes(line)
    return TaggedArticle.from_bytes(line)
