"""Benchmark: the alert rules engine replaying event revisions through the shipped rules.

Synthetic events (fixed seed) over 5 theaters and 20 countries, spread over 24 h of event time,
each reported by 1-6 outlets, so it arrives as 1-6 revisions (one per report, a few minutes
apart, the toll sometimes rising); about one in twenty is later merged into an earlier event of
its theater. They go through ``seeds/rules.yaml`` (every rule ``source: events``). Reports the
median of several runs of revisions per second, and the largest group state as JSON (what one
changelog write carries).

    python bench/alerts_events.py [--events N] [--runs R]
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alerts.replay import event_time  # noqa: E402
from alerts.rules import RuleSet  # noqa: E402
from bench.common import replay_figures, write_result  # noqa: E402
from escmon.models import SIGNAL_TYPES, EventRecord, Evidence, Toll  # noqa: E402

THEATERS = ["Middle East", "Eastern Europe", "Sahel", "South Asia", "East Asia"]
COUNTRIES = [f"Country{i}" for i in range(20)]
OUTLETS = [f"outlet{i}" for i in range(30)]
T0 = datetime(2026, 11, 24, tzinfo=UTC)


def revisions(n: int, seed: int = 7) -> list[EventRecord]:
    """Every revision of ``n`` reproducible synthetic events, in event-time order."""
    rnd = random.Random(seed)
    out: list[EventRecord] = []
    last_of: dict[str, EventRecord] = {}
    sentence = "A sentence of evidence about what happened, about twenty words long, " * 2
    for i in range(n):
        first = T0 + timedelta(seconds=rnd.uniform(0, 86400))
        signals = sorted({"strike", *(k for k in SIGNAL_TYPES if rnd.random() < 0.3)})
        theater = rnd.choice(THEATERS)
        countries = rnd.sample(COUNTRIES, rnd.choice([1, 1, 2]))
        outlets = rnd.sample(OUTLETS, rnd.randint(1, 6))
        killed = rnd.choice([None, 0, 1, 3, 12, 40])
        for r, _ in enumerate(outlets, 1):
            if killed is not None and rnd.random() < 0.2:
                killed += rnd.randint(1, 5)
            arts = [f"e{i}-{o}" for o in outlets[:r]]
            rev = EventRecord(
                id=f"e{i}", revision=r, title=f"event {i}", kind="strike", articles=arts,
                sources=outlets[:r], countries=countries, theater=theater,
                killed=Toll(low=killed, best=killed, high=killed),
                signals=signals,  # type: ignore[arg-type]
                score=float(len(signals) * 3), first_seen=first,
                last_seen=first + timedelta(minutes=4 * (r - 1)), first_fetched=first,
                evidence=[Evidence(sentence=sentence, type="strike", article_id=arts[0],
                                   source=outlets[0], url=f"https://news.example.org/{arts[0]}")],
            )
            out.append(rev)
            last_of[rev.id] = rev
    # Some events turn out to be reports of another: a merged revision, a little later.
    for i in range(0, n, 20):
        last = last_of[f"e{i}"]
        out.append(last.model_copy(update={
            "revision": last.revision + 1, "status": "merged", "merged_into": f"e{i + 1}",
            "last_seen": last.last_seen + timedelta(minutes=5),
        }))
    return sorted(out, key=event_time)


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print a summary, write bench/results/alerts_events.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    ruleset = RuleSet.load(ROOT / "seeds" / "rules.yaml")
    items = revisions(args.events)
    result = {
        "benchmark": "alerts_events",
        "events": args.events,
        "revisions": len(items),
        **replay_figures(ruleset, items, args.runs, "revisions"),
        "max_events_per_group": ruleset.max_events,
    }
    print(
        f"alerts engine over events: {result['revisions_per_second']:.0f} revisions/s "
        f"(median of {args.runs}, {args.events} events as {len(items)} revisions, "
        f"{result['rules']} rules), {result['alerts']} alerts, "
        f"largest group state {result['largest_group_state_bytes']} B"
    )
    write_result("alerts_events", result)
    return result


if __name__ == "__main__":
    main()
