"""The bars on everyday feed items (issue 14): labels in tests/eval/everyday, texts in ../shared.

The feeds are read in place from ``../shared/corpora`` through ``escmon feed`` and never copied
into the repo; without them the test skips. Bars: strike and casualties precision >= 0.90 at
recall >= 0.85; pledge, threat and de-escalation precision >= 0.80; at most 10 false strike or
casualty alarms per 1,000 items of traffic.
"""

from __future__ import annotations

import pytest

from processors.evaluation import format_report
from processors.everyday import CORPORA, FEED_DIRS, Everyday, run
from processors.tagger import Tagger

pytestmark = pytest.mark.skipif(
    not all((CORPORA / folder).is_dir() for folder in FEED_DIRS),
    reason=f"everyday feed corpora not found under {CORPORA} ({', '.join(FEED_DIRS)})",
)


@pytest.fixture(scope="module")
def everyday() -> Everyday:
    """The tagger's figures on the labelled everyday items, computed once."""
    return run(Tagger())


def test_every_labelled_item_is_found_and_the_set_is_large(everyday: Everyday):
    assert everyday.labelled == 474, "labels and feeds out of step"
    assert everyday.traffic == 772


@pytest.mark.parametrize("field", ["strike", "casualties"])
def test_event_precision_and_recall(everyday: Everyday, field: str):
    score = everyday.report.fields[field]
    assert score.precision >= 0.90, format_report(everyday.report)
    assert score.recall >= 0.85, format_report(everyday.report)


@pytest.mark.parametrize("field", ["retaliation_pledge", "threat", "deescalation"])
def test_statement_precision(everyday: Everyday, field: str):
    assert everyday.report.fields[field].precision >= 0.80, format_report(everyday.report)


def test_false_alarm_rate(everyday: Everyday):
    assert everyday.alarms_per_1000 <= 10, everyday.false_alarm_ids
