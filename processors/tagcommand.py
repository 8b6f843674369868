"""``escmon tag``: TaggedArticle JSON for a text, an Article JSON, or a JSON-lines file."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from escmon.models import Article, RecordError, utcnow
from processors.tagger import Tagger


def _article(raw: str, default_id: str) -> Article:
    text = raw.strip()
    if text.startswith("{"):
        data = json.loads(text)
        if "schema" in data or "body" in data:
            return Article.from_bytes(text)
        return Article(
            id=str(data.get("id") or default_id),
            source="tag",
            body=str(data.get("text", "")),
            fetched=utcnow(),
        )
    title, _, body = raw.partition("\n")
    return Article(
        id=default_id, source="tag", title=title.strip(), body=body.strip(), fetched=utcnow()
    )


def tag_command(
    path: str | None,
    jsonl: bool,
    out: TextIO,
    err: TextIO,
    model: str | None = None,
    tagger: Tagger | None = None,
) -> int:
    """Tag the input and print JSON; bad lines are reported on ``err`` and skipped.

    ``tagger``: an already built one (the benchmark times the command without pipeline loading).
    """
    tagger = tagger or Tagger(model=model)
    try:
        stream = sys.stdin if path in (None, "-") else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        err.write(f"escmon tag: {path}: {exc.strerror}\n")
        return 1
    with stream:
        if not jsonl:
            try:
                article = _article(stream.read(), Path(path or "stdin").stem)
            except (ValueError, RecordError) as exc:
                err.write(f"escmon tag: {path}: {exc}\n")
                return 1
            out.write(tagger.tag(article).model_dump_json(by_alias=True) + "\n")
            return 0
        bad = 0

        def articles() -> Iterator[Article]:
            nonlocal bad
            for n, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    yield _article(line, f"line-{n}")
                except (ValueError, RecordError) as exc:
                    bad += 1
                    err.write(f"escmon tag: {path}: line {n}: {exc}\n")

        for tagged in tagger.tag_many(articles()):
            out.write(tagged.model_dump_json(by_alias=True) + "\n")
        return 1 if bad else 0
