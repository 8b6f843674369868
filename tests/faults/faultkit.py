"""Fault-test helpers: a rule firing on every strike, strike articles, sending, counting."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from kafka import KafkaProducer

from escmon.models import Alert, Article, TaggedArticle, utcnow
from tests.e2e.test_seed_alert import Receiver
from tests.integration.kafka_util import read_topic

# One `any` rule over the whole stream: every tagged article with a strike fires its own alert
# (the alert id includes the article id), so "each article alerts exactly once" is checkable.
# realert: 0 turns the per-group cooldown off, so no strike article is held back by another.
STRIKE_RULES = """\
rules:
  - name: every-strike
    type: any
    group_by: global
    where: {signals: [strike]}
    severity: warning
    realert: 0
"""


def write_rules(folder: Path) -> Path:
    """Write the strike rule file into ``folder`` and return its path."""
    path = folder / "strike-rules.yaml"
    path.write_text(STRIKE_RULES)
    return path


def strike_text(i: int, tag: str = "") -> str:
    """A short news text the tagger reads as a strike (unique per ``i``)."""
    return (
        f"A drone strike hit a militia depot near Deir ez-Zor in Syria on day {i}{tag}. "
        "Officials said the base was struck at dawn and the damage was being assessed."
    )


def strike_articles(start: int, n: int, prefix: str = "art") -> list[Article]:
    """Articles ``prefix-start`` … each reporting a strike."""
    return [
        Article(
            id=f"{prefix}-{i:05d}",
            source="fault-test",
            title=f"Strike report {i}",
            body=strike_text(i),
            fetched=utcnow(),
        )
        for i in range(start, start + n)
    ]


def send(bootstrap: str, topic: str, articles: list[Article]) -> None:
    """Publish ``articles`` keyed by id and wait until the broker has them."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    try:
        for a in articles:
            producer.send(topic, key=a.id.encode(), value=a.to_bytes())
        producer.flush(timeout=60)
    finally:
        producer.close()


def start_receiver() -> Receiver:
    """A webhook receiver serving in a daemon thread."""
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    return receiver


def tagged_ids(bootstrap: str, topic: str, expect: int, timeout: float) -> list[str]:
    """Article ids of every record on the tagged topic (duplicates kept)."""
    records = read_topic(bootstrap, topic, expect=expect, timeout=timeout)
    return [TaggedArticle.from_bytes(r.value).id for r in records]


def alert_ids(receiver: Receiver) -> list[str]:
    """Alert ids the webhook received, in arrival order (duplicates kept)."""
    return [Alert.from_bytes(b).id for b in list(receiver.bodies)]


def figures(sent: set[str], received: list[str]) -> dict[str, int]:
    """Sent / received / distinct / lost / duplicated counts for the report."""
    counts = Counter(received)
    return {
        "sent": len(sent),
        "received": len(received),
        "distinct": len(set(received) & sent),
        "lost": len(sent - set(received)),
        "duplicated": sum(c - 1 for c in counts.values() if c > 1),
        "unexpected": len(set(received) - sent),
    }
