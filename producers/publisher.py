"""Publishing to Kafka with kafka-python: keyed, acks=all, idempotent, compressed.

The publisher sends what the outbox holds and reports which records the broker acknowledged; the
caller deletes only those from the outbox, so a broker that is down costs a delay, never a record.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from producers.store import Pending

logger = logging.getLogger(__name__)


class Publisher:
    """A lazily connected KafkaProducer that publishes batches and says which succeeded."""

    def __init__(self, topics: dict[str, str], options: dict[str, Any]) -> None:
        self.topics = topics
        self.options = options
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def _connect(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                client_id="escmon-producer",
                acks="all",
                enable_idempotence=True,
                compression_type="gzip",
                retries=2_147_483_647,
                linger_ms=20,
                max_block_ms=10_000,
                delivery_timeout_ms=30_000,
                request_timeout_ms=10_000,
                max_request_size=16_777_216,
                **self.options,
            )
        return self._producer

    def publish(self, items: Sequence[Pending], timeout: float = 30.0) -> list[Pending]:
        """Send ``items``; return those the broker acknowledged (blocking, call off the loop)."""
        with self._lock:
            try:
                producer = self._connect()
            except KafkaError as exc:
                logger.warning("broker unavailable (%s); %d records kept", exc, len(items))
                return []
            futures = []
            for item in items:
                topic = self.topics[item.kind]
                try:
                    future = producer.send(topic, key=item.key.encode(), value=item.payload)
                except KafkaError as exc:
                    logger.warning("cannot send %s to %s: %s (kept)", item.key, topic, exc)
                    break
                futures.append((item, future))
            try:
                producer.flush(timeout=timeout)
            except KafkaError as exc:
                logger.warning("flush failed: %s", exc)
            done: list[Pending] = []
            for item, future in futures:
                if future.succeeded():
                    done.append(item)
                elif future.is_done:
                    logger.warning(
                        "record %s not acknowledged: %s (kept)", item.key, future.exception
                    )
            return done

    def close(self, timeout: float = 10.0) -> None:
        """Flush and close the producer."""
        with self._lock:
            if self._producer is not None:
                try:
                    self._producer.flush(timeout=timeout)
                    self._producer.close(timeout=timeout)
                except KafkaError as exc:
                    logger.warning("closing the producer: %s", exc)
                self._producer = None
