"""``escmon events FILE.jsonl``: tag (when needed) and link a JSON-lines file, offline.

Lines may be ``tagged/1`` records (linked as they are), ``article/1`` records or raw
``{"id"?, "text", "title"?, "url"?, "published"?, "source"?|"outlet"?}`` objects (tagged first).
They are linked in file order, and the final ``event/1`` record of every event is printed, one
per line. Bad lines are reported on stderr and skipped (exit status 1 when there were any).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from escmon.models import Article, RecordError, TaggedArticle, utcnow
from processors.linking import LinkConfig, Linker


def _published(value: Any) -> datetime | None:
    if not value:
        return None
    when = datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_line(line: str, default_id: str) -> Article | TaggedArticle:
    """One input line as a tagged record or an article to tag; ValueError/RecordError if bad."""
    data = json.loads(line)
    if not isinstance(data, dict):
        msg = "not a JSON object"
        raise ValueError(msg)
    schema = data.get("schema")
    if schema == "tagged/1":
        return TaggedArticle.from_bytes(line)
    if schema == "article/1" or "body" in data:
        return Article.from_bytes(line)
    if "text" not in data:
        msg = 'neither a tagged/1 or article/1 record nor {"text": ...}'
        raise ValueError(msg)
    return Article(
        id=str(data.get("id") or default_id),
        source=str(data.get("source") or data.get("outlet") or "events"),
        title=str(data.get("title") or ""),
        body=str(data["text"]),
        url=data.get("url"),
        published=_published(data.get("published")),
        fetched=utcnow(),
    )


def events_command(
    path: str,
    out: TextIO,
    err: TextIO,
    model: str | None = None,
    config: LinkConfig | None = None,
) -> int:
    """Link the file's reports in order and print every event's final record."""
    try:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        err.write(f"escmon events: {path}: {exc.strerror}\n")
        return 1
    bad = 0

    def inputs() -> Iterator[Article | TaggedArticle]:
        nonlocal bad
        for n, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield parse_line(line, f"line-{n}")
            except (ValueError, RecordError) as exc:
                bad += 1
                err.write(f"escmon events: {path}: line {n}: {exc}\n")

    linker = Linker(config)
    tagger = None
    with stream:
        for item in inputs():
            if isinstance(item, Article):
                if tagger is None:
                    from processors.tagger import Tagger

                    tagger = Tagger(model=model)
                item = tagger.tag(item)
            linker.add(item)
    for record in linker.records():
        out.write(record.model_dump_json(by_alias=True) + "\n")
    return 1 if bad else 0
