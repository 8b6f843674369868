"""Our own labelled reports (``tests/eval/cases/events-*.jsonl``) as regression cases.

Each batch was run blind once; its first-run figures are in docs/events.md. The floors below are
the figures of the code that was current when the batch was added (rounded down; the events ratio
rounded up), so linking may get better on them but not worse. ``events-blind1`` and
``events-blind2`` were written by people who did not work on the tagger or the linker, and nobody
tuned on them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.evaluation import load_items
from processors.linking_eval import EventsReport, evaluate_events, format_events_report
from processors.tagger import Tagger

CASES = Path(__file__).resolve().parent / "cases"

# batch: (B-cubed F1, highest events found / true, countries F1, toll right share)
FLOORS = {
    "events-written1.jsonl": (0.90, 1.31, 0.86, 0.63),
    "events-blind1.jsonl": (0.88, 1.32, 0.99, 0.85),
    "events-blind2.jsonl": (0.94, 1.07, 0.94, 0.92),
}


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    """One tagger for every batch."""
    return Tagger()


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_batch_does_not_regress(name: str, tagger: Tagger):
    items = load_items(CASES / name)
    report: EventsReport = evaluate_events(items, tagger)
    b3, ratio, countries, toll = FLOORS[name]
    text = format_events_report(report)
    assert report.bcubed_f1 >= b3, text
    assert report.events_ratio <= ratio, text
    assert report.country_f1 >= countries, text
    assert report.toll_rate >= toll, text
