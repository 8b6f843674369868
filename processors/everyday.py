"""The tagger on everyday world-news feed items: labels in the repo, texts read in place.

``tests/eval/everyday/labels.jsonl`` labels items of the real feeds in ``../shared/corpora/``
(``feeds-2025/`` and ``feeds/``) by ``../shared/eval/LABELING.md``, keyed by the item's link. The
publishers own the texts, so they are never copied here: the feeds are read through
``escmon feed`` (a subprocess, so this stage does not import the producer), exactly the title and
summary the producer would publish, and joined to the labels by link. Run it as::

    python -m processors.everyday [--corpora DIR] [--json]
    python -m processors.evaluation everyday     # the same

Which items are labelled: every item any broad conflict keyword touches (``selected: keyword``)
and a seeded random sample of the others (``selected: sample``). The false-alarm rate per 1,000
items weights each sampled item by the share of untouched items it stands for, so the rate is an
estimate for the whole traffic, not only for the labelled part.
"""

from __future__ import annotations

import argparse
import json
import subprocess  # noqa: S404 - runs our own CLI with fixed arguments
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from processors.evaluation import Report, TagsMany, evaluate, format_report

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "eval" / "everyday" / "labels.jsonl"
CORPORA = ROOT.parent / "shared" / "corpora"
FEED_DIRS = ("feeds-2025", "feeds")
ALARM_FIELDS = ("strike", "casualties")


@dataclass
class Everyday:
    """The report on the labelled items, plus what the whole traffic looks like."""

    report: Report
    traffic: int
    labelled: int
    sampled_weight: float
    false_alarms: float
    false_alarm_ids: list[str]

    @property
    def alarms_per_1000(self) -> float:
        """Estimated items per 1,000 of traffic with a false strike or casualty signal."""
        return 1000 * self.false_alarms / self.traffic if self.traffic else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "traffic": self.traffic,
            "labelled": self.labelled,
            "false_alarms_per_1000": round(self.alarms_per_1000, 2),
            "false_alarm_items": self.false_alarm_ids,
            **self.report.as_dict(),
        }


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    """The label records (``{link, feed, selected, labels, note?}``)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def feed_paths(corpora: Path, feeds: Sequence[str]) -> list[Path]:
    """Where each named feed file is, under one of :data:`FEED_DIRS`; missing ones left out."""
    found = []
    for name in sorted(set(feeds)):
        for folder in FEED_DIRS:
            if (corpora / folder / name).is_file():
                found.append(corpora / folder / name)
                break
    return found


def feed_items(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """The Article records ``escmon feed`` prints for the files, in feed order."""
    command = [sys.executable, "-m", "escmon.cli", "feed", *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def join(labels: Sequence[dict[str, Any]], articles: Sequence[dict[str, Any]]) -> list[dict]:
    """Labelled evaluation items (``id``, ``text``, ``labels``, ``category``) in feed order.

    An article whose id was already seen is dropped, as the producer's seen-set drops it: a feed
    that lists one link twice under two titles publishes it once.
    """
    by_key = {(r["feed"], r["link"]): r for r in labels}
    items, seen = [], set()
    for article in articles:
        if article["id"] in seen:
            continue
        seen.add(article["id"])
        record = by_key.get((Path(article["source"]).name, article["url"]))
        if record is None:
            continue
        title, body = article.get("title") or "", article.get("body") or ""
        items.append(
            {
                "id": article["url"],
                "text": f"{title}\n{body}" if title else body,
                "labels": record["labels"],
                "category": record["selected"],
            }
        )
    return items


def run(tagger: TagsMany, corpora: Path = CORPORA, labels_path: Path = LABELS) -> Everyday:
    """Tag the labelled items of the feeds under ``corpora`` and score them."""
    labels = load_labels(labels_path)
    articles = feed_items(feed_paths(corpora, [r["feed"] for r in labels]))
    traffic = len({a["id"] for a in articles})  # the producer publishes each id once
    items = join(labels, articles)
    if len(items) != len(labels):
        msg = f"{len(labels) - len(items)} labelled items not found in the feeds under {corpora}"
        raise ValueError(msg)
    report = evaluate(items, tagger)
    keyword = sum(1 for r in labels if r["selected"] == "keyword")
    sampled = len(labels) - keyword
    # Each sampled item stands for (untouched items / sampled items) items of the traffic.
    weight = (traffic - keyword) / sampled if sampled else 1.0
    wrong = {m.id for m in report.misses if m.field in ALARM_FIELDS and m.got is True}
    kind = {item["id"]: item["category"] for item in items}
    alarms = sum(weight if kind[i] == "sample" else 1.0 for i in wrong)
    return Everyday(report, traffic, len(items), weight, alarms, sorted(wrong))


def main(argv: list[str] | None = None) -> int:
    """Print the figures on the everyday feed items."""
    from processors.tagger import Tagger

    parser = argparse.ArgumentParser(prog="python -m processors.everyday", description=__doc__)
    parser.add_argument("--corpora", type=Path, default=CORPORA, help="the shared corpora folder")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--model", default=None, help="trained spaCy pipeline to use")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not all((args.corpora / folder).is_dir() for folder in FEED_DIRS):
        sys.stderr.write(f"{args.corpora}: the shared feed corpora are not there\n")
        return 1
    result = run(Tagger(model=args.model), args.corpora, args.labels)
    if args.json:
        print(json.dumps(result.as_dict(), indent=1))
        return 0
    print(f"== everyday feed items: {result.labelled} labelled of {result.traffic}")
    print(format_report(result.report))
    print(
        f"false strike/casualty alarms: {result.alarms_per_1000:.1f} per 1,000 items "
        f"(a sampled item counts {result.sampled_weight:.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
