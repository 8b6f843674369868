"""Score the per-article event facts (``TaggedArticle.event``) per report on labelled reports.

The labelled reports are ``../shared/eval/events-dev.jsonl`` (rules: ``EVENTS-LABELING.md``
beside it): each holds its text, feed metadata (title, url, published) and the answers for *this
report's* main event: ``action_countries``, ``killed`` and ``wounded``. Scored here, without
linking:

- killed (wounded) exact: the event's ``best`` equals the label, over every report (a null label
  wants null or 0) and over the reports that state a number;
- action countries per report: micro P/R/F1 of the event's countries against the labels;
- action countries per event: the same, with each gold event's countries the union over its
  reports (what a perfect linker would hold), the figure the issue's bar (F1 >= 0.80) is about;
- the old readings beside them, for comparison: ``summary.killed`` (every killing in the text
  added up) and every country the text names (``places``).

    python -m processors.evaluation per-report [PATH ...] [--json] [--list]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from escmon.models import Article, TaggedArticle
from processors.evaluation import FieldScore, TagsMany

EVENTS_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "events-dev.jsonl"
#: our gazetteer's names → the labelling conventions (EVENTS-LABELING.md, "Country names")
LABEL_NAMES = {"Democratic Republic of the Congo": "DR Congo"}
_FETCHED = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Micro(FieldScore):
    """True/false positives and false negatives summed over items (P/R/F1 as FieldScore's)."""

    def add(self, predicted: set[str], gold: set[str]) -> None:
        """Count one item's predicted set against its gold set."""
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def as_dict(self) -> dict[str, float]:
        """P/R/F1 rounded for printing."""
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
        }


@dataclass
class Exact:
    """How often a predicted count equals the label."""

    right: int = 0
    total: int = 0
    stated_right: int = 0
    stated: int = 0

    def add(self, predicted: int | None, gold: int | None) -> bool:
        """Count one report; a null label is matched by null or 0."""
        ok = predicted == gold if gold is not None else not predicted
        self.total += 1
        self.right += ok
        if gold is not None:
            self.stated += 1
            self.stated_right += ok
        return ok

    @property
    def rate(self) -> float:
        """Exact over every report."""
        return self.right / self.total if self.total else 0.0

    @property
    def stated_rate(self) -> float:
        """Exact over the reports whose label is a number."""
        return self.stated_right / self.stated if self.stated else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Rates and counts for printing."""
        return {
            "all": f"{self.right}/{self.total}",
            "all_rate": round(self.rate, 3),
            "stated": f"{self.stated_right}/{self.stated}",
            "stated_rate": round(self.stated_rate, 3),
        }


@dataclass
class PerReport:
    """The figures of one run over labelled reports."""

    killed: Exact = field(default_factory=Exact)
    wounded: Exact = field(default_factory=Exact)
    countries: Micro = field(default_factory=Micro)
    event_countries: Micro = field(default_factory=Micro)
    old_killed: Exact = field(default_factory=Exact)
    old_countries: Micro = field(default_factory=Micro)
    old_event_countries: Micro = field(default_factory=Micro)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Everything but the misses, for printing or JSON."""
        return {
            "killed_exact": self.killed.as_dict(),
            "wounded_exact": self.wounded.as_dict(),
            "countries_per_report": self.countries.as_dict(),
            "countries_per_event": self.event_countries.as_dict(),
            "old_summary_killed_exact": self.old_killed.as_dict(),
            "old_all_named_countries_per_report": self.old_countries.as_dict(),
            "old_all_named_countries_per_event": self.old_event_countries.as_dict(),
        }


def load_reports(path: Path) -> list[dict[str, Any]]:
    """The labelled reports of a JSON-lines file (``//`` comment lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(x) for x in lines if x.strip() and not x.lstrip().startswith("//")]


def to_article(item: dict[str, Any]) -> Article:
    """What the product sees of a report: its text and feed metadata, not its answers."""
    published = item.get("published")
    return Article(
        id=item["id"],
        source=str(item.get("outlet") or "eval"),
        title=str(item.get("title") or ""),
        body=item["text"],
        url=item.get("url"),
        published=datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None,
        fetched=_FETCHED,
    )


def _names(names: Iterable[str]) -> set[str]:
    return {LABEL_NAMES.get(n, n) for n in names}


def predicted_countries(tagged: TaggedArticle) -> set[str]:
    """The event's action countries in the labels' naming."""
    return _names(tagged.event.countries) if tagged.event is not None else set()


def named_countries(tagged: TaggedArticle) -> set[str]:
    """Every country the text names (the old reading): places and actors' countries."""
    return _names(m.country for m in [*tagged.places, *tagged.actors] if m.country)


def evaluate(items: Sequence[dict[str, Any]], tagger: TagsMany) -> PerReport:
    """Tag the reports and score their event facts against the labels."""
    report = PerReport()
    by_event: dict[str, tuple[set[str], set[str], set[str]]] = {}
    tagged_all = list(tagger.tag_many(to_article(item) for item in items))
    for item, tagged in zip(items, tagged_all, strict=True):
        labels = item["labels"]
        event = tagged.event
        killed = event.killed.best if event is not None else None
        wounded = event.wounded.best if event is not None else None
        ok_killed = report.killed.add(killed, labels.get("killed"))
        report.wounded.add(wounded, labels.get("wounded"))
        report.old_killed.add(tagged.summary.killed, labels.get("killed"))
        gold = _names(labels.get("action_countries") or [])
        predicted, named = predicted_countries(tagged), named_countries(tagged)
        report.countries.add(predicted, gold)
        report.old_countries.add(named, gold)
        gold_e, pred_e, named_e = by_event.setdefault(
            str(item.get("event") or item["id"]), (set(), set(), set())
        )
        gold_e |= gold
        pred_e |= predicted
        named_e |= named
        if not ok_killed or predicted != gold:
            report.misses.append(
                {
                    "id": item["id"],
                    "event": item.get("event"),
                    "killed": [killed, labels.get("killed")],
                    "countries": [sorted(predicted), sorted(gold)],
                }
            )
    for gold_e, pred_e, named_e in by_event.values():
        report.event_countries.add(pred_e, gold_e)
        report.old_event_countries.add(named_e, gold_e)
    return report


def format_report(report: PerReport, misses: bool = False) -> str:
    """A short human-readable report."""
    lines = [f"{k}: {v}" for k, v in report.as_dict().items()]
    if misses:
        lines += [json.dumps(m) for m in report.misses]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m processors.evaluation per-report``: print the figures per labelled file."""
    from processors.tagger import Tagger

    parser = argparse.ArgumentParser(
        prog="python -m processors.evaluation per-report", description=__doc__
    )
    parser.add_argument("paths", nargs="*", type=Path, default=[EVENTS_DEV])
    parser.add_argument("--model", default=None, help="trained spaCy pipeline to use")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--list", action="store_true", help="also list the reports missed")
    args = parser.parse_args(argv)
    tagger = Tagger(model=args.model)
    for path in args.paths:
        if not path.exists():
            sys.stderr.write(f"{path}: not found\n")
            return 1
        report = evaluate(load_reports(path), tagger)
        print(f"== {path}")
        print(
            json.dumps(report.as_dict(), indent=1)
            if args.json
            else format_report(report, args.list)
        )
    return 0
