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

    # The broker's verdict on every record arrives within this time (kafka-python expires a
    # batch it could not deliver after delivery_timeout_ms), so waiting this long for the futures
    # means none is still in flight when its record is sent again from the outbox.
    DELIVERY_TIMEOUT_MS = 30_000

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
                delivery_timeout_ms=self.DELIVERY_TIMEOUT_MS,
                request_timeout_ms=10_000,
                max_request_size=16_777_216,
                **self.options,
            )
        return self._producer

    def publish(self, items: Sequence[Pending]) -> list[Pending]:
        """Send ``items``; return those the broker acknowledged (blocking, call off the loop).

        Records not acknowledged stay in the caller's outbox and are sent again later. To make
        sure such a record is not also still queued inside the producer (which would deliver it
        twice), this waits until every future has its answer; if one has none after the delivery
        timeout, the producer is closed without waiting, dropping what it still holds.
        """
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
            wait = self.DELIVERY_TIMEOUT_MS / 1000 + 15.0
            try:
                producer.flush(timeout=wait)
            except KafkaError as exc:
                logger.warning("flush failed: %s", exc)
            done: list[Pending] = []
            undecided = 0
            for item, future in futures:
                if future.succeeded():
                    done.append(item)
                elif future.is_done:
                    logger.warning(
                        "record %s not acknowledged: %s (kept)", item.key, future.exception
                    )
                else:
                    undecided += 1
            if undecided:
                logger.warning("%d records without an answer; restarting the producer", undecided)
                self._drop_producer()
            return done

    def _drop_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=0)
            except KafkaError as exc:
                logger.warning("closing the producer: %s", exc)
            self._producer = None

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
