"""The quality bars on the shared labelled development set (``../shared/eval/dev.jsonl``).

The texts are read in place, never copied into the repo. Bars (issue 4): F1 >= 0.90 for strike,
casualties and retaliation_pledge; ``killed`` exact on >= 85% of the items that state a count.
"""

from __future__ import annotations

import pytest

from processors.evaluation import DEV_SET, Report, evaluate, format_report, load_items
from processors.tagger import Tagger

pytestmark = pytest.mark.skipif(
    not DEV_SET.exists(), reason=f"labelled dev set not found at {DEV_SET} (../shared/eval)"
)


@pytest.fixture(scope="module")
def report() -> Report:
    """The tagger's report on the dev set, computed once."""
    return evaluate(load_items(DEV_SET), Tagger())


@pytest.mark.parametrize("field", ["strike", "casualties", "retaliation_pledge"])
def test_f1_bar(report: Report, field: str):
    assert report.fields[field].f1 >= 0.90, format_report(report)


def test_killed_exact_bar(report: Report):
    assert report.count_items["killed"] >= 20, "the dev set should state many counts"
    assert report.exact_rate("killed") >= 0.85, format_report(report)
