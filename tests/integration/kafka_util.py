"""Reading topics back in tests with kafka-python."""

from __future__ import annotations

import time

from kafka import KafkaConsumer


def read_topic(bootstrap: str, topic: str, *, expect: int, timeout: float = 60.0) -> list:
    """Every record of ``topic`` from the start, until ``expect`` arrived or ``timeout`` passed.

    Keeps reading for a short grace period after reaching ``expect`` so duplicates are seen too.
    """
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=1000,
    )
    records: list = []
    deadline = time.monotonic() + timeout
    grace_until: float | None = None
    try:
        while time.monotonic() < deadline:
            for message in consumer:
                records.append(message)
            if len(records) >= expect and grace_until is None:
                grace_until = time.monotonic() + 2.0
            if grace_until is not None and time.monotonic() >= grace_until:
                break
    finally:
        consumer.close()
    return records
