"""Score event linking and per-event tolls on labelled reports (EVENTS-LABELING.md "How to score").

Pure: give it labelled reports (the format of ``../shared/eval/events-dev.jsonl``) and the
tagged articles the product made of them, in file order, get an :class:`EventsReport`. The texts are
tagged with ``published``, ``title`` and ``url`` as feed metadata and ``outlet`` as the source,
then linked in file order, exactly as ``escmon events`` would. Run it as::

    python -m processors.evaluation events [PATH ...]   # default: ../shared/eval/events-dev.jsonl

Figures:

- **B-cubed** precision, recall and F1 over all records (a record in no event is its own event),
  and predicted events / gold events;
- per gold event, the predicted event holding most of its records: **countries** micro P/R/F1
  against the union of its reports' ``action_countries``, and **toll right** when that event's
  best killed lies in ``[0.9*min, 1.1*max]`` of its reports' figures (null or 0 when none states
  one), over the events where a report has ``strike`` or ``casualties``;
- per report, the **main event's killed** exact (the tagger's event facts, else its summary).
"""

from __future__ import annotations

import json
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from escmon.models import Article, EventRecord, TaggedArticle
from processors.linking import LinkConfig, Linker

EVENTS_SET = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "events-dev.jsonl"
# The scorer's country names follow EVENTS-LABELING.md; ours follow the gazetteer.
COUNTRY_NAMES = {"Democratic Republic of the Congo": "DR Congo"}
# Every report is fetched "at the same time": the set has no fetch times, and a made-up spread
# would decide links that the texts and their dates should decide.
FETCHED = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class EventsReport:
    """The figures of one run, with the per-event detail behind them."""

    records: int = 0
    gold_events: int = 0
    predicted_events: int = 0
    bcubed_precision: float = 0.0
    bcubed_recall: float = 0.0
    country_tp: int = 0
    country_fp: int = 0
    country_fn: int = 0
    toll_events: int = 0
    toll_right: int = 0
    killed_items: int = 0
    killed_exact: int = 0
    killed_stated: int = 0
    killed_stated_exact: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def bcubed_f1(self) -> float:
        """Harmonic mean of B-cubed precision and recall."""
        p, r = self.bcubed_precision, self.bcubed_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def events_ratio(self) -> float:
        """Predicted events per gold event (1.0 is right; one event per report is >2 here)."""
        return self.predicted_events / self.gold_events if self.gold_events else 0.0

    @property
    def country_precision(self) -> float:
        """Micro precision of the events' action countries."""
        n = self.country_tp + self.country_fp
        return self.country_tp / n if n else 1.0

    @property
    def country_recall(self) -> float:
        """Micro recall of the events' action countries."""
        n = self.country_tp + self.country_fn
        return self.country_tp / n if n else 1.0

    @property
    def country_f1(self) -> float:
        """Micro F1 of the events' action countries."""
        p, r = self.country_precision, self.country_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def toll_rate(self) -> float:
        """Share of scored events whose best killed lies within its reports' range."""
        return self.toll_right / self.toll_events if self.toll_events else 1.0

    @property
    def killed_rate(self) -> float:
        """Share of reports whose main-event killed is exact (null labels must give null)."""
        return self.killed_exact / self.killed_items if self.killed_items else 1.0

    @property
    def killed_stated_rate(self) -> float:
        """The same over the reports that state a figure only."""
        return self.killed_stated_exact / self.killed_stated if self.killed_stated else 1.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "records": self.records,
            "gold_events": self.gold_events,
            "predicted_events": self.predicted_events,
            "events_ratio": round(self.events_ratio, 4),
            "bcubed": {
                "precision": round(self.bcubed_precision, 4),
                "recall": round(self.bcubed_recall, 4),
                "f1": round(self.bcubed_f1, 4),
            },
            "countries": {
                "precision": round(self.country_precision, 4),
                "recall": round(self.country_recall, 4),
                "f1": round(self.country_f1, 4),
                "tp": self.country_tp,
                "fp": self.country_fp,
                "fn": self.country_fn,
            },
            "toll": {
                "events": self.toll_events,
                "right": self.toll_right,
                "rate": round(self.toll_rate, 4),
            },
            "killed_per_report": {
                "items": self.killed_items,
                "exact": self.killed_exact,
                "rate": round(self.killed_rate, 4),
                "stated": self.killed_stated,
                "stated_exact": self.killed_stated_exact,
                "stated_rate": round(self.killed_stated_rate, 4),
            },
            "misses": self.misses,
        }


def articles_of(items: Iterable[dict[str, Any]]) -> list[Article]:
    """The reports as the product would see them: text plus title, url, published; outlet."""
    out = []
    for item in items:
        published = item.get("published")
        out.append(
            Article(
                id=str(item["id"]),
                source=str(item.get("outlet") or "eval"),
                title=str(item.get("title") or ""),
                body=str(item["text"]),
                url=item.get("url"),
                published=(
                    datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None
                ),
                fetched=FETCHED,
            )
        )
    return out


def link(tagged: Iterable[TaggedArticle], config: LinkConfig | None = None) -> list[EventRecord]:
    """Link the tagged reports in the given order; the final record of every event."""
    linker = Linker(config)
    for article in tagged:
        linker.add(article)
    return linker.records()


def _killed(article: TaggedArticle) -> int | None:
    if article.event is not None:
        return article.event.killed.best
    return article.summary.killed


def score_events(
    items: Sequence[dict[str, Any]],
    tagged: Sequence[TaggedArticle],
    events: Sequence[EventRecord],
) -> EventsReport:
    """Compare the predicted events (and per-report killed) with the gold labels."""
    gold: dict[str, str] = {str(i["id"]): str(i["event"]) for i in items}
    by_id = {str(i["id"]): i for i in items}
    predicted: dict[str, str] = {}
    for record in events:
        for aid in record.articles:
            predicted[aid] = record.id
    for aid in gold:
        predicted.setdefault(aid, "alone:" + aid)
    gold_members: dict[str, set[str]] = defaultdict(set)
    pred_members: dict[str, set[str]] = defaultdict(set)
    for aid in gold:
        gold_members[gold[aid]].add(aid)
        pred_members[predicted[aid]].add(aid)
    report = EventsReport(
        records=len(gold), gold_events=len(gold_members), predicted_events=len(pred_members)
    )
    precisions, recalls = [], []
    for aid in gold:
        g, p = gold_members[gold[aid]], pred_members[predicted[aid]]
        both = len(g & p)
        precisions.append(both / len(p))
        recalls.append(both / len(g))
    report.bcubed_precision = sum(precisions) / len(precisions) if precisions else 0.0
    report.bcubed_recall = sum(recalls) / len(recalls) if recalls else 0.0

    records = {e.id: e for e in events}
    for gid in sorted(gold_members):
        members = sorted(gold_members[gid])
        votes = Counter(predicted[a] for a in members)
        pid = min(votes, key=lambda p: (-votes[p], p))
        event = records.get(pid)
        split = f" (split: {dict(votes)})" if len(votes) > 1 else ""
        extra = sorted(pred_members[pid] - set(members))
        joined = f" (joined with {extra})" if extra else ""
        if split or joined:
            report.misses.append(f"{gid} linking{split}{joined}")
        want = {c for a in members for c in by_id[a]["labels"]["action_countries"]}
        got = {COUNTRY_NAMES.get(c, c) for c in (event.countries if event else [])}
        report.country_tp += len(want & got)
        report.country_fp += len(got - want)
        report.country_fn += len(want - got)
        if want != got:
            report.misses.append(f"{gid} countries: want {sorted(want)}, got {sorted(got)}")
        labels = [by_id[a]["labels"] for a in members]
        if any(lab.get("strike") or lab.get("casualties") for lab in labels):
            report.toll_events += 1
            figures = [lab["killed"] for lab in labels if lab.get("killed") is not None]
            best = event.killed.best if event else _killed_alone(tagged, members[0])
            if figures:
                right = best is not None and 0.9 * min(figures) <= best <= 1.1 * max(figures)
            else:
                right = not best
            report.toll_right += right
            if not right:
                report.misses.append(f"{gid} toll: want {figures or 'null/0'}, got {best}")
    for article in tagged:
        want_k = by_id[article.id]["labels"].get("killed")
        got_k = _killed(article)
        report.killed_items += 1
        report.killed_exact += got_k == want_k
        if want_k is not None:
            report.killed_stated += 1
            report.killed_stated_exact += got_k == want_k
        if got_k != want_k:
            report.misses.append(
                f"{article.id} ({gold[article.id]}) killed: want {want_k}, got {got_k}"
            )
    return report


def _killed_alone(tagged: Sequence[TaggedArticle], aid: str) -> int | None:
    """A report in no event (no routing key) still has its own figure."""
    return next((_killed(t) for t in tagged if t.id == aid), None)


def format_events_report(report: EventsReport) -> str:
    """A short human-readable summary."""
    lines = [
        f"{report.records} records, {report.gold_events} gold events, "
        f"{report.predicted_events} predicted (ratio {report.events_ratio:.3f})",
        f"B-cubed P {report.bcubed_precision:.3f} R {report.bcubed_recall:.3f} "
        f"F1 {report.bcubed_f1:.3f}",
        f"countries P {report.country_precision:.3f} R {report.country_recall:.3f} "
        f"F1 {report.country_f1:.3f} (tp {report.country_tp} fp {report.country_fp} "
        f"fn {report.country_fn})",
        f"event toll right: {report.toll_right}/{report.toll_events} = {report.toll_rate:.3f}",
        f"main-event killed exact per report: {report.killed_exact}/{report.killed_items} = "
        f"{report.killed_rate:.3f} (of reports stating one: {report.killed_stated_exact}/"
        f"{report.killed_stated} = {report.killed_stated_rate:.3f})",
    ]
    if report.misses:
        lines.append("misses:")
        lines += [f"  {m}" for m in report.misses]
    return "\n".join(lines)


def run(
    paths: Sequence[Path],
    model: str | None,
    as_json: bool,
    config: LinkConfig | None = None,
    shuffles: int = 0,
) -> int:
    """Tag, link and score each labelled file; print the figures (and the shuffles' spread)."""
    from processors.evaluation import load_items
    from processors.tagger import Tagger

    tagger = Tagger(model=model)
    for path in paths:
        if not path.exists():
            print(f"{path}: not found")
            return 1
        items = load_items(path)
        tagged = list(tagger.tag_many(articles_of(items)))
        report = score_events(items, tagged, link(tagged, config))
        print(f"== {path}")
        print(json.dumps(report.as_dict(), indent=1) if as_json else format_events_report(report))
        if shuffles:
            print(format_spread(shuffled(items, tagged, shuffles, config)))
    return 0


def shuffled(
    items: Sequence[dict[str, Any]],
    tagged: Sequence[TaggedArticle],
    k: int,
    config: LinkConfig | None = None,
) -> list[EventsReport]:
    """The reports linked in ``k`` random orders (seeds 0..k-1, so the same every run), scored."""
    out = []
    for seed in range(k):
        order = list(tagged)
        random.Random(seed).shuffle(order)  # noqa: S311 - a reproducible order, not a secret
        out.append(score_events(items, tagged, link(order, config)))
    return out


def format_spread(reports: Sequence[EventsReport]) -> str:
    """Min and median of B-cubed F1 and precision, max and median of events found / true."""
    f1 = [r.bcubed_f1 for r in reports]
    precision = [r.bcubed_precision for r in reports]
    ratio = [r.events_ratio for r in reports]
    return (
        f"{len(reports)} shuffled orders: B-cubed F1 min {min(f1):.3f} median "
        f"{statistics.median(f1):.3f}; P min {min(precision):.3f} median "
        f"{statistics.median(precision):.3f}; events ratio median {statistics.median(ratio):.3f} "
        f"max {max(ratio):.3f}"
    )


def evaluate_events(
    items: Sequence[dict[str, Any]], tagger: Any, config: LinkConfig | None = None
) -> EventsReport:
    """Tag the reports (``tagger.tag_many``), link them in file order and score."""
    tagged = list(tagger.tag_many(articles_of(items)))
    return score_events(items, tagged, link(tagged, config))
