"""What the tagging agent does with a batch of raw messages, without Kafka (pure given a tagger)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from escmon.models import Article, DeadLetter, RecordError, TaggedArticle

logger = logging.getLogger(__name__)

STAGE = "processors"


@dataclass(frozen=True)
class RawMessage:
    """A message as it came off ``articles.raw``."""

    value: bytes | None
    topic: str = ""
    partition: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class BatchResult:
    """Tagged articles to publish and dead letters (with the reason) for everything else."""

    tagged: list[TaggedArticle]
    dead: list[DeadLetter]


TagMany = Callable[[Iterable[Article]], Iterator[TaggedArticle]]


def _dead(msg: RawMessage, reason: str, cap: int) -> DeadLetter:
    return DeadLetter.of(
        stage=STAGE,
        reason=reason,
        payload=msg.value or b"",
        cap=cap,
        topic=msg.topic,
        partition=msg.partition,
        offset=msg.offset,
    )


def decode(
    messages: Sequence[RawMessage], *, max_chars: int, cap: int
) -> tuple[list[tuple[RawMessage, Article]], list[DeadLetter]]:
    """Split messages into valid articles and dead letters (invalid JSON, schema, size)."""
    good: list[tuple[RawMessage, Article]] = []
    dead: list[DeadLetter] = []
    for msg in messages:
        if not msg.value:
            dead.append(_dead(msg, "empty message", cap))
            continue
        try:
            article = Article.from_bytes(msg.value)
        except RecordError as exc:
            dead.append(_dead(msg, str(exc), cap))
            continue
        size = len(article.title) + len(article.body)
        if size > max_chars:
            dead.append(_dead(msg, f"article too large: {size} chars > {max_chars}", cap))
            continue
        good.append((msg, article))
    return good, dead


def handle_batch(
    messages: Sequence[RawMessage], tag_many: TagMany, *, max_chars: int, cap: int
) -> BatchResult:
    """Tag a batch; an article that breaks the tagger goes to the dead letters, not the batch."""
    good, dead = decode(messages, max_chars=max_chars, cap=cap)
    articles = [a for _, a in good]
    try:
        tagged = list(tag_many(articles))
    except Exception:  # noqa: BLE001 - one bad article must not stop the stream
        logger.warning("batch of %d failed in the tagger; retrying one by one", len(articles))
        tagged = []
        for msg, article in good:
            try:
                tagged.extend(tag_many([article]))
            except Exception as exc:  # noqa: BLE001
                logger.exception(
                    "tagger failed on article %s (%s/%s@%s)",
                    article.id,
                    msg.topic,
                    msg.partition,
                    msg.offset,
                )
                dead.append(_dead(msg, f"tagger error: {type(exc).__name__}: {exc}", cap))
    return BatchResult(tagged, dead)
