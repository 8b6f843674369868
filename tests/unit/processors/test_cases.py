"""Labelled cases written for this repo (``cases/*.jsonl``), one test each, expectation inside.

Each file holds positives and hard negatives of one signal type in the labelling rules of
``../shared/eval/LABELING.md``; only the fields listed in an item's ``labels`` are checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from processors.evaluation import load_items
from processors.tagger import Tagger

CASES = Path(__file__).with_name("cases")
ITEMS = [item for path in sorted(CASES.glob("*.jsonl")) for item in load_items(path)]


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    """One default pipeline for the module (building it reads the pattern files)."""
    return Tagger()


def test_every_signal_type_has_positives_and_hard_negatives():
    for field in ("strike", "casualties", "retaliation_pledge", "threat", "deescalation"):
        values = {item["labels"][field] for item in ITEMS if field in item["labels"]}
        assert values == {True, False}, field


@pytest.mark.parametrize("item", ITEMS, ids=[i["id"] for i in ITEMS])
def test_case(item: dict[str, Any], tagger: Tagger):
    summary = tagger.tag_text(item["text"], id=item["id"]).summary.model_dump()
    got = {field: summary[field] for field in item["labels"]}
    assert got == item["labels"], item.get("note", "")
