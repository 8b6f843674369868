"""Benchmark: the alert rules engine replaying tagged articles (``escmon rules test``'s core).

Synthetic tagged articles (fixed seed) over 5 theaters and 20 countries, spread over 24 h of
event time, go through the article rules ``seeds/rules-articles.yaml`` (the shipped
``seeds/rules.yaml`` reads events). Reports the median of several runs of articles per second, and
the largest group state as JSON (what one changelog write carries).

    python bench/alerts_engine.py [--articles N] [--runs R]
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alerts.rules import RuleSet  # noqa: E402
from bench.common import replay_figures, write_result  # noqa: E402
from escmon.models import (  # noqa: E402
    SIGNAL_TYPES,
    Mention,
    Score,
    Signal,
    Summary,
    TaggedArticle,
)

THEATERS = ["Middle East", "Eastern Europe", "Sahel", "South Asia", "East Asia"]
COUNTRIES = [f"Country{i}" for i in range(20)]
T0 = datetime(2026, 11, 24, tzinfo=UTC)


def articles(n: int, seed: int = 7) -> list[TaggedArticle]:
    """``n`` reproducible synthetic tagged articles."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        kinds = [k for k in SIGNAL_TYPES if rnd.random() < 0.3]
        killed = rnd.choice([None, None, 1, 3, 12]) if "casualties" in kinds else None
        flags = {k: True for k in kinds} | ({"killed": killed} if killed else {})
        sentence = "A sentence of evidence about what happened, about twenty words long, " * 2
        out.append(
            TaggedArticle(
                id=f"a{i}",
                source=f"src{rnd.randrange(30)}",
                url=f"https://news.example.org/a{i}",
                published=T0 + timedelta(seconds=rnd.uniform(0, 86400)),
                fetched=T0,
                signals=[Signal(type=k, text=k, start=0, end=1, sentence=sentence) for k in kinds],
                summary=Summary(**flags),
                places=[
                    Mention(text=c, name=c, kind="country", country=c)
                    for c in rnd.sample(COUNTRIES, 2)
                ],
                theater=rnd.choice(THEATERS),
                score=Score(total=float(len(kinds) * 3)),
            )
        )
    return sorted(out, key=lambda a: a.event_time)


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print a summary, write bench/results/alerts_engine.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    ruleset = RuleSet.load(ROOT / "seeds" / "rules-articles.yaml")
    items = articles(args.articles)
    result = {
        "benchmark": "alerts_engine",
        "articles": args.articles,
        **replay_figures(ruleset, items, args.runs, "articles"),
        "max_articles_per_group": ruleset.max_articles,
    }
    print(
        f"alerts engine: {result['articles_per_second']:.0f} articles/s "
        f"(median of {args.runs}, {args.articles} articles, {result['rules']} rules), "
        f"{result['alerts']} alerts, largest group state {result['largest_group_state_bytes']} B"
    )
    write_result("alerts_engine", result)
    return result


if __name__ == "__main__":
    main()
