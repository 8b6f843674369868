"""Every metric a stage exports is named in a metrics reference: the README's, or a docs/ page's.

A topic page in ``docs/`` (``docs/full-text.md``) documents its own metrics under its own
``### Metrics reference`` heading.
"""

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from escmon.metrics import AlertMetrics, ProcessorMetrics, ProducerMetrics

README = Path(__file__).resolve().parents[3] / "README.md"
DOCS = README.parent / "docs"
HEADING = "### Metrics reference"


def _names(create) -> list[str]:
    registry = CollectorRegistry()
    create(registry)
    return sorted({m.name for m in registry.collect()})


def _references() -> str:
    readme = README.read_text(encoding="utf-8").split(HEADING, 1)
    assert len(readme) == 2, f"README has a '{HEADING}' section"
    pages = [p.read_text(encoding="utf-8").split(HEADING, 1) for p in sorted(DOCS.glob("*.md"))]
    return readme[1] + "".join(page[1] for page in pages if len(page) == 2)


@pytest.mark.parametrize("metrics", [ProducerMetrics, ProcessorMetrics, AlertMetrics])
def test_each_metric_is_in_the_readme_reference(metrics):
    reference = _references()
    names = _names(metrics.create)
    assert names, "the stage registers metrics"
    missing = [n for n in names if f"`{n}" not in reference]
    assert not missing, f"not in a metrics reference (README or docs/): {missing}"
