"""What the Faust apps of the processors and the alert stage share: config, health, metrics, run.

Faust's default at-least-once processing is kept (no exactly-once mode): agents are idempotent on
record ids instead, which survives redelivery after a crash. A graceful stop or a rebalance hands
over exactly what was handled, given the three fixes to Faust's hand-over below (and one in
processors.eventagent); docs/delivery.md has the evidence.
"""

from __future__ import annotations

import logging
from typing import Any

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.tables import TableManager
from faust.tables.recovery import Recovery
from faust.transport.drivers import aiokafka as kafka_driver
from faust.types import TP
from faust.types.transports import TransportT
from faust.worker import Worker
from prometheus_client import CollectorRegistry

from escmon import logs
from escmon.models import DeadLetter
from escmon.settings import Settings

logger = logging.getLogger(__name__)


class SeekBeforeFetching(Recovery):
    """Faust's table recovery, with the stream partitions sought to their committed offsets
    while nothing is fetched.

    faust-streaming 0.15.3 ends a rebalance of an app with a table in
    ``Recovery.on_recovery_completed``: it resumes the stream partitions, then seeks them to the
    committed offsets, and only then resumes the flow. But a recovery that read changelogs (and
    the one that had none to read) has resumed the flow already, so the fetcher reads the stream
    partitions between the resume and the seek. Seen with a worker taking over a stopped worker's
    partitions (tests/integration/test_two_workers.py, every fetch and seek logged): the records
    fetched before the seek reach the agents, the seek rewinds the read offsets and they come again
    (tagged twice; the last record of a partition passes Faust's ``offset >= read offset`` check
    once more), and the records fetched before the seek but still queued when the flow resumed are
    dropped with the queues, while the jump from the rewound read offset to the next record
    delivered is booked as a gap, which Faust commits as done: those articles were never tagged.
    Stopping the flow first makes the seek happen with nothing in flight, as Faust's path for apps
    without tables (``_resume_streams``) already does.
    """

    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        """Stop the flow, then let Faust resume, seek and resume the flow (in that order)."""
        app = self.app
        # Faust's own method resumes the flow (clearing the agents' queues) after its seek.
        app.consumer.stop_flow()
        app.flow_control.suspend()
        logger.debug("recovery done: flow stopped until the stream partitions are sought")
        rebalances = app.rebalancing_count
        await super().on_recovery_completed(generation_id)
        if app.rebalancing_count != rebalances:
            # Another rebalance began during the seek (seen in the two-worker logs), and Faust's
            # method went on to resume the flow its revocation had stopped: the agents would
            # take records while that revocation waits for them and commits. Stopped again, the
            # flow waits for that rebalance's own recovery.
            logger.info("a rebalance began while the last one ended: flow stopped again")
            app.consumer.stop_flow()
            app.flow_control.suspend()
            app.rebalancing = True


class SeekingTableManager(TableManager):
    """Faust's table manager with :class:`SeekBeforeFetching` as its recovery."""

    @property
    def recovery(self) -> Recovery:
        """The recovery service, made on first use as Faust's own is."""
        if self._recovery is None:
            self._recovery = SeekBeforeFetching(
                self.app, self, beacon=self.beacon, loop=self.loop
            )
        return self._recovery


class CommitBeforeRevoke(kafka_driver.Consumer):
    """Faust's aiokafka consumer, committing what was handled of the partitions a rebalance
    takes away before Faust forgets it.

    faust-streaming 0.15.3's ``Consumer.on_partitions_revoked`` drops its record of the offsets
    acked on the revoked partitions and only then runs the app's handler, whose commit (after the
    agents finished what they held) so finds nothing to commit of them unless an agent acks one
    more record afterwards. Whatever was handled since the last periodic commit went to the next
    owner as not handled (logged: a revoked partition's offsets 11-14 acked, 10 committed; its new
    owner read from 10; faust-streaming issue #502).
    """

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        """Commit the revoked partitions' acked offsets, then revoke as Faust does."""
        # commit() returns without committing while a periodic commit is under way: once more.
        for _ in range(2):
            if await self.commit(revoked):
                break
        await super().on_partitions_revoked(revoked)


class KafkaTransport(kafka_driver.Transport):
    """Faust's aiokafka transport with :class:`CommitBeforeRevoke` as its consumer."""

    Consumer = CommitBeforeRevoke


class App(faust.App):
    """A Faust app on :class:`KafkaTransport`."""

    def _new_transport(self) -> TransportT:
        return KafkaTransport(self.conf.broker_consumer, self)


def broker_credentials(settings: Settings) -> Any:
    """Faust credentials for TLS/SASL clusters, None for PLAINTEXT."""
    k = settings.kafka
    if k.sasl_mechanism and k.sasl_username and k.sasl_password is not None:
        ssl_context = None
        if k.security_protocol.upper().endswith("SSL"):
            import ssl

            ssl_context = ssl.create_default_context(
                cafile=str(k.ssl_cafile) if k.ssl_cafile else None
            )
        return faust.SASLCredentials(
            username=k.sasl_username,
            password=k.sasl_password.get_secret_value(),
            mechanism=k.sasl_mechanism,
            ssl_context=ssl_context,
        )
    if k.security_protocol.upper() == "SSL":
        import ssl

        return ssl.create_default_context(cafile=str(k.ssl_cafile) if k.ssl_cafile else None)
    return None


def make_app(
    settings: Settings, app_id: str, port: int, registry: CollectorRegistry, **extra: Any
) -> faust.App:
    """A Faust app on the configured cluster, with /metrics, /healthz and /readyz on ``port``."""
    datadir = settings.state_dir / "faust" / app_id
    datadir.parent.mkdir(parents=True, exist_ok=True)
    app = App(
        app_id,
        broker=[f"kafka://{s}" for s in settings.kafka.servers],
        broker_credentials=broker_credentials(settings),
        store="memory://",
        datadir=str(datadir),
        topic_partitions=settings.kafka.partitions,
        topic_replication_factor=settings.kafka.replication,
        # A new consumer group must see what the producers published before it first started.
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # Commit often: after a crash or a rebalance, at-least-once means the events processed
        # since the last commit are processed again, so this bounds the duplicates downstream.
        broker_commit_interval=0.5,
        # An internal topic Faust has just created (the alert stage's `grouped`) can be missing
        # from the first metadata the group leader assigns with ("Ignoring missing topic"); the
        # consumer only notices it at its next metadata refresh, by default 5 minutes later, and
        # until then that agent gets no partitions. Refresh often so such a miss heals in seconds.
        consumer_metadata_max_age_ms=5_000,
        web_enabled=port > 0,
        web_port=port,
        web_bind=settings.metrics.host,
        web_host=settings.metrics.host,
        web_in_thread=False,
        TableManager=SeekingTableManager,
        **extra,
    )
    setup_prometheus_sensors(app, "/metrics", registry=registry, name_prefix="faust")

    @app.on_before_shutdown.connect
    async def commit_before_leaving(
        sender: Any, /, *args: Any, signal: Any, **kwargs: Any
    ) -> None:
        # Faust does not commit on a graceful stop by itself; without this, the partitions
        # a stopping worker hands over are processed again from its last periodic commit.
        await app.consumer.commit()

    summarised = False

    @app.on_rebalance_complete.connect
    async def summarise_start(sender: Any, /, *args: Any, **kwargs: Any) -> None:
        # Once, when the first assignment is done: the coordinator errors a fresh broker causes
        # were logged at DEBUG (escmon.logs.StartupRetries); say once that they happened.
        nonlocal summarised
        if not summarised:
            summarised = True
            summary = logs.startup_summary()
            if summary:
                logger.info("%s", summary)

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "alive", "app": app_id})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        ready = bool(app.producer.started) and not app.rebalancing
        body = {"ready": ready, "app": app_id, "assigned": len(app.consumer.assignment())}
        return web.json(body, status=200 if ready else 503)

    return app


def raw_topic(app: faust.App, name: str, **extra: Any) -> faust.TopicT:
    """A topic of raw bytes: records are (de)serialised by ``escmon.models``, never by Faust.

    Keeping Faust's codecs out means a malformed payload reaches the agent as bytes, where it is
    dead-lettered with its reason rather than left to Faust's codec error handling.
    """
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        **extra,
    )


def run_app(app: faust.App, settings: Settings) -> int:
    """Run ``app`` as a worker until SIGTERM/SIGINT, keeping our own logging set up."""
    worker = Worker(
        app,
        loglevel=settings.logging.level,
        quiet=True,
        redirect_stdouts=False,
        override_logging=False,
    )
    # Faust's start-up spinner writes cursor codes ("\x1b[?25h") and backspaces even when
    # stdout is a file or a journal, and `quiet` does not turn it off; our log lines already
    # say when the stage is ready.
    worker.spinner = None
    worker.execute_from_commandline()
    return 0


async def send_dead_letter(
    dead_topic: Any,
    counter: Any,
    *,
    stage: str,
    reason: str,
    payload: bytes,
    cap: int,
    event: Any,
    log: logging.Logger,
) -> None:
    """Publish what a Faust stage could not handle to the dead-letter topic, with the reason and
    where it came from; logged on the stage's logger and counted by the reason's first part."""
    msg = event.message
    letter = DeadLetter.of(
        stage=stage,
        reason=reason,
        payload=payload,
        cap=cap,
        topic=msg.topic,
        partition=msg.partition,
        offset=msg.offset,
    )
    log.warning("dead letter %s/%s@%s: %s", msg.topic, msg.partition, msg.offset, reason)
    counter.labels(reason.split(":", 1)[0][:60]).inc()
    await dead_topic.send(key=stage.encode(), value=letter.to_bytes())
