"""Benchmark: the linking core (``processors.linking``) with 10,000 open events.

Synthetic tagged reports (fixed seed), each with a title, three evidence sentences of ~25 words,
a city, a toll and an event date, as the tagger makes them. First 10,000 events are opened
(one report each), then new reports are linked against them and timed: half are other outlets'
reports of open events (different wording, same city and day), half open new events. Two layouts:

- ``spread``: 40 action countries (one ``OpenEvents`` each, as the agent's table holds them),
  event dates over 14 days; what a month of world news looks like to the linker.
- ``one_key``: all 10,000 events in one country over 14 days, the worst case for candidates.

Memory per open event: ``tracemalloc`` around opening the 10,000 events (one report each: the
state is the report's words, facts and evidence), and the JSON state size per event (what the
agent's table writes to its changelog). Target (issue 13): >= 2,000 reports/s on one core.
Throughput is given per CPU second of this process (``time.process_time``) as well as per wall
second: on a shared machine the wall figure measures the neighbours too.

``--records FILE`` also writes every record the linker returned, in order, then the final record
of every open event, one JSON line each (untimed, results file untouched): a change meant only for
speed must leave that file byte-identical (``cmp`` before and after).

    python bench/linking.py [--events N] [--reports M] [--runs R] [--records FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from escmon.models import (  # noqa: E402
    EventFacts,
    Mention,
    Score,
    Signal,
    Summary,
    TaggedArticle,
    Toll,
)
from processors.linking import Linker  # noqa: E402

T0 = datetime(2026, 11, 1, tzinfo=UTC)
DAY0 = date(2026, 11, 1)
GENERIC = (
    "the a of in and to was were said on at by officials police residents witnesses army area "
    "near after before during local town district province village market road hospital "
    "school building houses morning night attack strike killed wounded people"
).split()


def vocabulary(rnd: random.Random, n: int = 20_000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rnd.choice(letters) for _ in range(rnd.randint(5, 10))) for _ in range(n)]


class Maker:
    """Reproducible events and reports of them."""

    def __init__(self, countries: int, days: int, seed: int = 13) -> None:
        self.rnd = random.Random(seed)
        self.words = vocabulary(self.rnd)
        self.countries = [f"Country{i:02d}" for i in range(countries)]
        self.days = days
        self.n = 0

    def event(self) -> dict:
        rnd = self.rnd
        country = rnd.choice(self.countries)
        name = f"{country}-City{rnd.randrange(2000)}"
        return {
            "country": country,
            "city": Mention(text=name, name=name, kind="city", country=country),
            "words": rnd.sample(self.words, 12),
            "day": DAY0 + timedelta(days=rnd.randrange(self.days)),
            "killed": rnd.choice([None, 2, 5, 9, 14, 30]),
        }

    def report(self, event: dict) -> TaggedArticle:
        rnd = self.rnd
        self.n += 1
        own = rnd.sample(event["words"], 8)

        def sentence() -> str:
            words = rnd.sample(GENERIC, 8) + rnd.sample(own, 4) + rnd.sample(self.words, 10)
            rnd.shuffle(words)
            return " ".join(words).capitalize() + "."

        sentences = [sentence() for _ in range(3)]
        killed = event["killed"]
        if killed is not None:
            killed += rnd.choice([0, 0, 1, 3])
        toll = Toll(low=killed, best=killed, high=killed) if killed is not None else Toll()
        return TaggedArticle(
            id=f"r{self.n}",
            source=f"outlet{rnd.randrange(200)}",
            title=" ".join(rnd.sample(own, 4) + rnd.sample(GENERIC, 4)).capitalize(),
            url=f"https://news.example.org/r{self.n}",
            published=datetime.combine(event["day"], datetime.min.time(), tzinfo=UTC),
            fetched=T0,
            signals=[
                Signal(type=t, text=t, start=0, end=1, sentence=s)
                for t, s in zip(("strike", "casualties", "strike"), sentences, strict=True)
            ],
            summary=Summary(strike=True, casualties=killed is not None, killed=killed),
            places=[event["city"]],
            theater="Somewhere",
            score=Score(total=9.0),
            event=EventFacts(
                kind="strike",
                countries=[event["country"]],
                places=[event["city"]],
                killed=toll,
                date=event["day"],
            ),
            tagged_at=T0,
        )


def run(
    layout: str, events: int, reports: int, seed: int, records: TextIO | None = None
) -> dict:
    maker = Maker(countries=40 if layout == "spread" else 1, days=14, seed=seed)
    opened = [maker.event() for _ in range(events)]
    first = [maker.report(e) for e in opened]
    later = []
    for i in range(reports):
        event = maker.rnd.choice(opened) if i % 2 == 0 else maker.event()
        later.append(maker.report(event))
    linker = Linker()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    opened_out = [linker.add(article) for article in first]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    open_events = len(linker)
    state_bytes = sum(len(json.dumps(e.to_json())) for e in linker.keys.values())
    # The JSON state just measured is the bench's garbage, not the linker's: collected here, it
    # would otherwise be walked by a full collection inside the timed phase (~11% of it).
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    timed_out = [linker.add(article) for article in later]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    out = sum(len(x) for x in timed_out)
    if records is not None:
        for x in (*opened_out, *timed_out, linker.records()):
            for record in x:
                records.write(f"{layout} {seed} {record.model_dump_json()}\n")
    joined = sum(
        1
        for events_ in linker.keys.values()
        for r in events_.records()
        if len(r.articles) > 1
    )
    return {
        "open_events": open_events,
        "reports_per_cpu_second": reports / cpu,
        "reports_per_second": reports / seconds,
        "seconds": seconds,
        "bytes_per_open_event": (after - before) / open_events,
        "state_json_bytes_per_open_event": state_bytes / open_events,
        "events_with_more_than_one_report": joined,
        "records_out": out,
    }


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print a summary, write bench/results/linking.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--reports", type=int, default=4_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--records", metavar="FILE", help="write every record out (a check)")
    args = parser.parse_args(argv)
    records = open(args.records, "w", encoding="utf-8") if args.records else None  # noqa: SIM115
    result: dict = {
        "benchmark": "linking",
        "open_events": args.events,
        "reports_timed": args.reports,
        "runs": args.runs,
        "layouts": {},
    }
    for layout in ("spread", "one_key"):
        # one_key opens 10,000 events in one partition, quadratic in the window: one run
        count = args.runs if layout == "spread" else 1
        runs = [run(layout, args.events, args.reports, seed, records) for seed in range(count)]
        median = {
            k: round(statistics.median(r[k] for r in runs), 1)
            for k in runs[0]
            if k != "seconds"
        }
        result["layouts"][layout] = median
        print(
            f"linking ({layout}): {median['reports_per_cpu_second']:.0f} reports per CPU "
            f"second ({median['reports_per_second']:.0f}/s wall) with "
            f"{median['open_events']:.0f} open events (median of {count}), "
            f"{median['bytes_per_open_event']:.0f} B per open event in memory, "
            f"{median['state_json_bytes_per_open_event']:.0f} B as JSON state"
        )
    spread, one_key = result["layouts"]["spread"], result["layouts"]["one_key"]
    result["summary"] = {
        "reports_per_cpu_second_spread": spread["reports_per_cpu_second"],
        "reports_per_second_spread_wall": spread["reports_per_second"],
        "reports_per_cpu_second_one_key": one_key["reports_per_cpu_second"],
        "bytes_per_open_event": spread["bytes_per_open_event"],
        "state_json_bytes_per_open_event": spread["state_json_bytes_per_open_event"],
        "target_reports_per_second": 2000,
    }
    if records is not None:
        records.close()
        return result
    out = ROOT / "bench" / "results" / "linking.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
