"""What the tagger checks before anything starts: the configured spaCy pipeline loads."""

from __future__ import annotations

from escmon.errors import ConfigError
from escmon.settings import Settings
from processors.nlp import build_pipeline


def check(settings: Settings) -> list[ConfigError]:
    """Every problem of the tagger's configuration (empty when it can start).

    Builds the pipeline as the worker will, so a missing model or a broken pattern file shows
    here rather than as a worker that exits at each restart.
    """
    try:
        build_pipeline(settings.processors.model)
    except ConfigError as exc:
        return [ConfigError(f"processors.model: {exc}")]
    return []
