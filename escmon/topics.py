"""Topic names and their creation on the configured cluster."""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.net.compat import KafkaNetClient

from escmon.errors import BrokerError
from escmon.settings import KafkaSettings, Settings

logger = logging.getLogger(__name__)


class TopicError(BrokerError):
    """Topics could not be listed or created."""


def topic_names(settings: Settings) -> list[str]:
    """The pipeline topics, in flow order."""
    t = settings.topics
    return [t.raw, t.tagged, t.by_country, t.events, t.alerts, t.deadletter]


#: kafka-python warns ("blocking the event loop") when one step of its I/O thread takes over
#: 0.1 s. That time includes waiting for the GIL, so it fired on a healthy producer whose other
#: threads were busy parsing feeds: two CPU-bound threads beside a publishing one gave ten such
#: warnings of 0.11-0.23 s in ten seconds, with every record acknowledged. A step that really
#: spins (the hang the warning was added for) runs for seconds, so this still catches it.
SLOW_TASK_SECONDS = 1.0


def client_options(kafka: KafkaSettings) -> dict[str, Any]:
    """kafka-python connection options (bootstrap plus TLS/SASL passed through)."""
    opts: dict[str, Any] = {
        "bootstrap_servers": kafka.servers,
        "security_protocol": kafka.security_protocol,
        # The documented hook for the network client; the threshold is its selector's setting.
        "kafka_client": partial(KafkaNetClient, slow_task_threshold_secs=SLOW_TASK_SECONDS),
    }
    if kafka.sasl_mechanism:
        opts["sasl_mechanism"] = kafka.sasl_mechanism
        opts["sasl_plain_username"] = kafka.sasl_username
        if kafka.sasl_password is not None:
            opts["sasl_plain_password"] = kafka.sasl_password.get_secret_value()
    if kafka.ssl_cafile:
        opts["ssl_cafile"] = str(kafka.ssl_cafile)
    return opts


def ensure_topics(
    settings: Settings, names: list[str] | None = None, timeout: float = 60.0
) -> list[str]:
    """Create missing topics with the configured partitions; return the ones created."""
    wanted = names or topic_names(settings)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            admin = KafkaAdminClient(
                client_id="escmon-admin",
                request_timeout_ms=10_000,
                **client_options(settings.kafka),
            )
        except KafkaError as exc:
            last = exc
            time.sleep(1.0)
            continue
        try:
            existing = set(admin.list_topics())
            missing = [n for n in wanted if n not in existing]
            if missing:
                new = [
                    NewTopic(n, settings.kafka.partitions, settings.kafka.replication)
                    for n in missing
                ]
                try:
                    admin.create_topics(new)
                except TopicAlreadyExistsError:
                    pass
                logger.info("created topics %s", ", ".join(missing))
            return missing
        except KafkaError as exc:
            last = exc
            time.sleep(1.0)
        finally:
            admin.close()
    msg = f"cannot create topics on {settings.kafka.bootstrap}: {last}"
    raise TopicError(msg)
