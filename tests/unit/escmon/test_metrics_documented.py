"""Every metric a stage exports is named in a metrics reference: the README's, or a table in
docs/ (the event stage documents its own in docs/event-stage.md)."""

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from escmon.metrics import AlertMetrics, EventMetrics, ProcessorMetrics, ProducerMetrics

REPO = Path(__file__).resolve().parents[3]
README = REPO / "README.md"
DOCS = REPO / "docs"


def _names(create) -> list[str]:
    registry = CollectorRegistry()
    create(registry)
    return sorted({m.name for m in registry.collect()})


def _references() -> str:
    text = README.read_text(encoding="utf-8")
    reference = text.split("### Metrics reference", 1)
    assert len(reference) == 2, "README has a '### Metrics reference' section"
    docs = [p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md"))]
    return "\n".join([reference[1], *docs])


@pytest.mark.parametrize(
    "metrics", [ProducerMetrics, ProcessorMetrics, AlertMetrics, EventMetrics]
)
def test_each_metric_is_in_a_metrics_reference(metrics):
    reference = _references()
    names = _names(metrics.create)
    assert names, "the stage registers metrics"
    missing = [n for n in names if f"`{n}" not in reference]
    assert not missing, f"not in the README's metrics reference nor in docs/: {missing}"
