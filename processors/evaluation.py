"""Evaluate the tagger on labelled items: precision/recall/F1 per summary field, killed exact match.

Pure: give it labelled items (``{"id", "text", "labels", "category"?}``, the format of
``../shared/eval/dev.jsonl``) and a tagger, get a :class:`Report`. Run it as a command::

    python -m processors.evaluation [PATH ...]   # default: ../shared/eval/dev.jsonl
    python -m processors.evaluation events [PATH ...]   # event linking, see linking_eval
    python -m processors.evaluation everyday     # everyday feed items (processors.everyday)
    python -m processors.evaluation per-report   # event facts per report (eventfacts_eval)

Labelled files in the repo (``tests/unit/processors/cases/*.jsonl``) use the same format.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from escmon.models import Article, TaggedArticle

BOOL_FIELDS = ("strike", "casualties", "retaliation_pledge", "threat", "deescalation")
COUNT_FIELDS = ("killed", "wounded")
DEV_SET = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev.jsonl"


class TagsMany(Protocol):
    """Anything with the ``Tagger.tag_many`` signature."""

    def tag_many(self, articles: Iterable[Article]) -> Iterable[TaggedArticle]:
        """Tag articles in order."""
        ...


@dataclass
class FieldScore:
    """Confusion counts of one boolean field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Miss:
    """One wrong field of one item, for the error listing."""

    id: str
    field: str
    expected: Any
    got: Any
    category: str = ""


@dataclass
class Report:
    """Scores over a labelled set."""

    items: int = 0
    fields: dict[str, FieldScore] = field(default_factory=dict)
    count_items: dict[str, int] = field(default_factory=dict)
    count_exact: dict[str, int] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    def exact_rate(self, name: str) -> float:
        """Share of items stating a ``name`` count whose count the tagger got exactly."""
        n = self.count_items.get(name, 0)
        return self.count_exact.get(name, 0) / n if n else 1.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "items": self.items,
            "fields": {
                k: {
                    "precision": round(v.precision, 4),
                    "recall": round(v.recall, 4),
                    "f1": round(v.f1, 4),
                    "tp": v.tp,
                    "fp": v.fp,
                    "fn": v.fn,
                    "tn": v.tn,
                }
                for k, v in self.fields.items()
            },
            "counts": {
                k: {
                    "items": self.count_items[k],
                    "exact": self.count_exact[k],
                    "rate": round(self.exact_rate(k), 4),
                }
                for k in COUNT_FIELDS
            },
            "misses": [m.__dict__ for m in self.misses],
        }


def load_items(path: Path) -> list[dict[str, Any]]:
    """Read a labelled JSON-lines file (blank lines and ``//`` comment lines are skipped)."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("//"):
            items.append(json.loads(line))
    return items


def evaluate(items: Sequence[dict[str, Any]], tagger: TagsMany) -> Report:
    """Tag each item's ``text`` and compare the summary with its ``labels``."""
    articles = [
        Article(id=str(item["id"]), source="eval", body=item["text"], fetched=_EPOCH)
        for item in items
    ]
    report = Report(
        items=len(items),
        fields={k: FieldScore() for k in BOOL_FIELDS},
        count_items=dict.fromkeys(COUNT_FIELDS, 0),
        count_exact=dict.fromkeys(COUNT_FIELDS, 0),
    )
    for item, tagged in zip(items, tagger.tag_many(articles), strict=True):
        labels, got = item["labels"], tagged.summary.model_dump()
        category = item.get("category", "")
        for name in BOOL_FIELDS:
            if name not in labels:
                continue
            expected, predicted = bool(labels[name]), bool(got[name])
            score = report.fields[name]
            if expected and predicted:
                score.tp += 1
            elif predicted:
                score.fp += 1
            elif expected:
                score.fn += 1
            else:
                score.tn += 1
            if expected != predicted:
                report.misses.append(Miss(item["id"], name, expected, predicted, category))
        for name in COUNT_FIELDS:
            if labels.get(name) is not None:
                report.count_items[name] += 1
                if got[name] == labels[name]:
                    report.count_exact[name] += 1
            if name in labels and got[name] != labels[name]:
                report.misses.append(Miss(item["id"], name, labels[name], got[name], category))
    return report


def format_report(report: Report) -> str:
    """A short human-readable table."""
    lines = [f"{report.items} items", f"{'field':20} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn  tn"]
    for name, s in report.fields.items():
        lines.append(
            f"{name:20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}  "
            f"{s.tp:3} {s.fp:3} {s.fn:3} {s.tn:3}"
        )
    for name in COUNT_FIELDS:
        lines.append(
            f"{name} exact: {report.count_exact[name]}/{report.count_items[name]}"
            f" = {report.exact_rate(name):.3f} of items stating a count"
        )
    if report.misses:
        lines.append("misses:")
        lines += [
            f"  {m.id} [{m.category}] {m.field}: expected {m.expected}, got {m.got}"
            for m in report.misses
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the report for each labelled file (default: the shared dev set).

    ``events`` as the first argument scores event linking instead (``processors.linking_eval``);
    ``everyday`` scores the tagger on the everyday feed items (``processors.everyday``);
    ``per-report`` scores the event facts per report (``processors.eventfacts_eval``).
    """
    from processors.tagger import Tagger

    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["per-report"]:
        from processors import eventfacts_eval

        return eventfacts_eval.main(args_in[1:])
    if args_in[:1] == ["events"]:
        return events_main(args_in[1:])
    if args_in[:1] == ["everyday"]:
        from processors.everyday import main as everyday

        return everyday(args_in[1:])
    parser = argparse.ArgumentParser(prog="python -m processors.evaluation", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, default=[DEV_SET])
    parser.add_argument("--model", default=None, help="trained spaCy pipeline to use")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(args_in)
    tagger = Tagger(model=args.model)
    for path in args.paths:
        if not path.exists():
            sys.stderr.write(f"{path}: not found\n")
            return 1
        report = evaluate(load_items(path), tagger)
        print(f"== {path}")
        print(json.dumps(report.as_dict(), indent=1) if args.json else format_report(report))
    return 0


def events_main(argv: list[str]) -> int:
    """``python -m processors.evaluation events``: score linking on labelled reports."""
    from processors.linking_eval import EVENTS_SET, run

    parser = argparse.ArgumentParser(
        prog="python -m processors.evaluation events",
        description="Tag and link labelled reports in file order; score as EVENTS-LABELING.md "
        "says (B-cubed, events found, action countries, event toll, per-report killed).",
    )
    parser.add_argument("paths", nargs="*", type=Path, default=[EVENTS_SET])
    parser.add_argument("--model", default=None, help="trained spaCy pipeline to use")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--shuffles",
        type=int,
        default=0,
        metavar="K",
        help="also link K random orders of each file (seeds 0..K-1) and print the spread of "
        "B-cubed F1, precision and events found (the linker depends on arrival order)",
    )
    args = parser.parse_args(argv)
    return run(args.paths, args.model, args.json, shuffles=args.shuffles)


from datetime import UTC, datetime  # noqa: E402 - kept next to its only use

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

if __name__ == "__main__":
    raise SystemExit(main())
