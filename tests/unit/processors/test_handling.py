"""The agent's batch logic, with a tiny tagger standing in so the routing can be checked alone."""

from collections.abc import Iterable, Iterator

from escmon.models import Article, TaggedArticle, utcnow
from processors.handling import RawMessage, handle_batch


def _article(i: str, body: str = "text") -> bytes:
    return Article(id=i, source="s", body=body, fetched=utcnow()).to_bytes()


def echo(articles: Iterable[Article]) -> Iterator[TaggedArticle]:
    for a in articles:
        if "BOOM" in a.body:
            msg = "tagger exploded"
            raise RuntimeError(msg)
        yield TaggedArticle(id=a.id, source=a.source, tagger="echo")


def test_valid_articles_are_tagged_in_order_and_poison_goes_to_dead_letters():
    msgs = [
        RawMessage(_article("a"), "raw", 0, 1),
        RawMessage(b"{not json", "raw", 0, 2),
        RawMessage(None, "raw", 1, 3),
        RawMessage(_article("b"), "raw", 1, 4),
        RawMessage(
            b'{"schema":"article/9","id":"z","source":"s","fetched":"2026-01-01T00:00:00Z"}',
            "raw",
            1,
            5,
        ),
    ]
    result = handle_batch(msgs, echo, max_chars=1000, cap=100)
    assert [t.id for t in result.tagged] == ["a", "b"]
    assert [(d.partition, d.offset) for d in result.dead] == [(0, 2), (1, 3), (1, 5)]
    assert "Invalid JSON" in result.dead[0].reason
    assert result.dead[1].reason == "empty message"
    assert "schema" in result.dead[2].reason


def test_oversized_article_is_dead_lettered_with_its_size():
    result = handle_batch(
        [RawMessage(_article("big", "x" * 5000), "raw", 0, 9)], echo, max_chars=1000, cap=50
    )
    assert result.tagged == []
    assert result.dead[0].reason.startswith("article too large: 5000 chars")
    assert result.dead[0].truncated is True


def test_an_article_that_breaks_the_tagger_does_not_take_the_batch_down():
    msgs = [
        RawMessage(_article("ok1"), "raw", 0, 1),
        RawMessage(_article("bad", "BOOM"), "raw", 0, 2),
        RawMessage(_article("ok2"), "raw", 0, 3),
    ]
    result = handle_batch(msgs, echo, max_chars=1000, cap=100)
    assert [t.id for t in result.tagged] == ["ok1", "ok2"]
    assert len(result.dead) == 1
    assert result.dead[0].offset == 2
    assert "tagger error: RuntimeError: tagger exploded" in result.dead[0].reason
