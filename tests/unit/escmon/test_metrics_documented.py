"""Every metric a stage exports is in docs/metrics.md, which is what the generator gives."""

import pytest
from prometheus_client import CollectorRegistry

from escmon import docgen
from escmon.metrics import AlertMetrics, EventMetrics, ProcessorMetrics, ProducerMetrics


def test_committed_metrics_reference_is_the_generated_one():
    path = docgen.DOCS / "metrics.md"
    assert path.read_text(encoding="utf-8") == docgen.metrics_md(), (
        "docs/metrics.md differs from escmon/metrics.py: run `make docs`"
    )


@pytest.mark.parametrize(
    "metrics", [ProducerMetrics, ProcessorMetrics, AlertMetrics, EventMetrics]
)
def test_each_registered_metric_is_in_the_reference(metrics):
    registry = CollectorRegistry()
    metrics.create(registry)
    # Counters are collected without their _total suffix; the reference names the sample.
    names = {m.name + ("_total" if m.type == "counter" else "") for m in registry.collect()}
    assert names, "the stage registers metrics"
    text = (docgen.DOCS / "metrics.md").read_text(encoding="utf-8")
    assert [n for n in sorted(names) if f"| `{n}` |" not in text] == []


def test_each_metric_set_is_found_with_its_stage():
    assert [stage for stage, _ in docgen.metric_sets()][:3] == ["producer", "worker", "notifier"]
