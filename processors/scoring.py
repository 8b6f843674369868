"""The explainable escalation score: each signal type adds weight × evidence count (capped).

Weights are data (``patterns/weights.json``). Every point is listed in a :class:`ScorePart` so an
alert can say why an article scored what it did.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from escmon.models import SIGNAL_TYPES, Score, ScorePart, Signal, Summary
from processors.nlp import PATTERNS


@cache
def load_weights(path: Path = PATTERNS / "weights.json") -> dict[str, Any]:
    """The weights file as a dict."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def score(signals: list[Signal], summary: Summary, weights: dict[str, Any] | None = None) -> Score:
    """Score an article: per type, ``weight`` × distinct evidence sentences up to ``max_count``.

    >>> from escmon.models import Signal, Summary
    >>> s = Signal(type="strike", text="air strike", start=0, end=10, sentence="An air strike.")
    >>> score([s], Summary(strike=True)).total
    5.0
    """
    if not signals and not summary.killed:
        return Score()
    weights = weights or load_weights()
    sentences: Counter[str] = Counter(dict.fromkeys(SIGNAL_TYPES, 0))
    seen = set()
    for sig in signals:
        if (sig.type, sig.sentence) not in seen:
            seen.add((sig.type, sig.sentence))
            sentences[sig.type] += 1
    parts = []
    for kind in SIGNAL_TYPES:
        spec = weights["types"][kind]
        count = min(sentences[kind], int(spec["max_count"]))
        if count:
            weight = float(spec["weight"])
            parts.append(ScorePart(type=kind, weight=weight, count=count, points=weight * count))
    if summary.killed:
        per = float(weights["per_killed"])
        points = min(per * summary.killed, float(weights["killed_cap"]))
        parts.append(ScorePart(type="killed", weight=per, count=summary.killed, points=points))
    return Score(total=round(sum(p.points for p in parts), 3), parts=parts)
