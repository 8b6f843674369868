"""Logging set up in one place: plain lines for people, JSON lines for log shippers."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

PLAIN = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure(level: str = "INFO", json_format: bool = False, process: str = "escmon") -> None:
    """Send log records to stderr; quiet the chattiest libraries."""
    handler = logging.StreamHandler(sys.stderr)
    if json_format:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"levelname": "level", "asctime": "time"},
                static_fields={"process_name": process},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(PLAIN.replace("%(name)s", f"{process} %(name)s")))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("kafka", "aiokafka", "faust", "mode", "apprise"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
