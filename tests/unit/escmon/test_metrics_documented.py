"""Every metric a stage exports is named in the README's metrics reference."""

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from escmon.metrics import AlertMetrics, ProcessorMetrics, ProducerMetrics

README = Path(__file__).resolve().parents[3] / "README.md"


def _names(create) -> list[str]:
    registry = CollectorRegistry()
    create(registry)
    return sorted({m.name for m in registry.collect()})


@pytest.mark.parametrize("metrics", [ProducerMetrics, ProcessorMetrics, AlertMetrics])
def test_each_metric_is_in_the_readme_reference(metrics):
    text = README.read_text(encoding="utf-8")
    reference = text.split("### Metrics reference", 1)
    assert len(reference) == 2, "README has a '### Metrics reference' section"
    names = _names(metrics.create)
    assert names, "the stage registers metrics"
    missing = [n for n in names if f"`{n}" not in reference[1]]
    assert not missing, f"not in the README's metrics reference: {missing}"
