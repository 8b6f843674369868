"""Prometheus metrics of every stage, each set built on a registry passed in.

Names follow ``escmon_<stage>_<thing>_total`` / ``_seconds``; label names are fixed here so
dashboards and alerting rules can rely on them. Tests build a private ``CollectorRegistry`` and
read values back with ``registry.get_sample_value``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


@dataclass(frozen=True)
class ProducerMetrics:
    """Feeds and files → articles.raw."""

    STAGE: ClassVar[str] = "producer"  # the process exporting them (docs/metrics.md)

    fetches: Counter
    not_modified: Counter
    feed_errors: Counter
    entries_seen: Counter
    published: Counter
    duplicates: Counter
    deadletters: Counter
    fetch_seconds: Histogram
    publish_seconds: Histogram
    last_success: Gauge
    pending: Gauge
    seen_pruned: Counter
    seen_ids: Gauge
    fulltext_fetched: Counter
    fulltext_extracted: Counter
    fulltext_robots: Counter
    fulltext_failures: Counter
    fulltext_seconds: Histogram
    fulltext_queued: Gauge
    fulltext_published: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> ProducerMetrics:
        """Register the producer metrics on ``registry``."""
        return cls(
            fetches=Counter(
                "escmon_feed_fetches_total",
                "Feed fetches by outcome",
                ["feed", "status"],
                registry=registry,
            ),
            not_modified=Counter(
                "escmon_feed_not_modified_total",
                "Fetches answered 304",
                ["feed"],
                registry=registry,
            ),
            feed_errors=Counter(
                "escmon_feed_errors_total",
                "Feed and file errors by reason",
                ["feed", "reason"],
                registry=registry,
            ),
            entries_seen=Counter(
                "escmon_producer_entries_seen_total",
                "Entries and documents parsed",
                ["source"],
                registry=registry,
            ),
            published=Counter(
                "escmon_producer_articles_published_total",
                "Articles published to articles.raw",
                ["source"],
                registry=registry,
            ),
            duplicates=Counter(
                "escmon_producer_duplicates_total",
                "Articles skipped as already published",
                registry=registry,
            ),
            deadletters=Counter(
                "escmon_producer_deadletters_total",
                "Inputs sent to the dead-letter topic",
                ["reason"],
                registry=registry,
            ),
            fetch_seconds=Histogram(
                "escmon_feed_fetch_seconds",
                "Feed fetch time",
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            publish_seconds=Histogram(
                "escmon_producer_publish_seconds",
                "Time until the broker acknowledged",
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            last_success=Gauge(
                "escmon_feed_last_success_timestamp_seconds",
                "Last successful poll per feed",
                ["feed"],
                registry=registry,
            ),
            pending=Gauge(
                "escmon_producer_pending_articles",
                "Articles waiting for the broker",
                registry=registry,
            ),
            seen_pruned=Counter(
                "escmon_producer_seen_pruned_total",
                "Seen ids forgotten after producers.seen_ttl",
                registry=registry,
            ),
            seen_ids=Gauge(
                "escmon_producer_seen_ids",
                "Ids in the dedup seen-set (articles and dead letters)",
                registry=registry,
            ),
            fulltext_fetched=Counter(
                "escmon_fulltext_pages_fetched_total",
                "Article pages fetched behind feed items (HTML answers)",
                ["feed"],
                registry=registry,
            ),
            fulltext_extracted=Counter(
                "escmon_fulltext_pages_extracted_total",
                "Fetched pages whose main text became an update of the article",
                ["feed"],
                registry=registry,
            ),
            fulltext_robots=Counter(
                "escmon_fulltext_robots_refused_total",
                "Article pages not fetched because the host's robots.txt disallows them",
                ["feed"],
                registry=registry,
            ),
            fulltext_failures=Counter(
                "escmon_fulltext_failures_total",
                "Article pages that left the item with its summary, by reason",
                ["feed", "reason"],
                registry=registry,
            ),
            fulltext_seconds=Histogram(
                "escmon_fulltext_extract_seconds",
                "Main-text extraction time per fetched page",
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            fulltext_queued=Gauge(
                "escmon_fulltext_queued_pages",
                "Articles waiting for their page to be fetched",
                registry=registry,
            ),
            fulltext_published=Counter(
                "escmon_fulltext_updates_published_total",
                "Full-text updates of articles acknowledged by the broker",
                ["source"],
                registry=registry,
            ),
        )


@dataclass(frozen=True)
class ProcessorMetrics:
    """articles.raw → tagger → articles.tagged."""

    STAGE: ClassVar[str] = "worker"  # the process exporting them (docs/metrics.md)

    tagged: Counter
    signals: Counter
    deadletters: Counter
    tag_seconds: Histogram
    redelivered: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> ProcessorMetrics:
        """Register the processor metrics on ``registry``."""
        return cls(
            tagged=Counter(
                "escmon_processor_articles_tagged_total", "Articles tagged", registry=registry
            ),
            signals=Counter(
                "escmon_signals_total", "Escalation signals found", ["type"], registry=registry
            ),
            deadletters=Counter(
                "escmon_processor_deadletters_total",
                "Messages sent to the dead-letter topic",
                ["reason"],
                registry=registry,
            ),
            tag_seconds=Histogram(
                "escmon_tagging_seconds",
                "Tagging time per batch",
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            redelivered=Counter(
                "escmon_processor_redelivered_total",
                "Raw messages this worker had already tagged, handed to it again by Faust after a "
                "table recovery, and dropped",
                registry=registry,
            ),
        )


@dataclass(frozen=True)
class AlertMetrics:
    """articles.tagged → rules → alerts → notifications."""

    STAGE: ClassVar[str] = "notifier"  # the process exporting them (docs/metrics.md)

    evaluated: Counter
    fired: Counter
    notifications: Counter
    deadletters: Counter
    delivery_seconds: Histogram
    end_to_end_seconds: Histogram
    score: Gauge
    killed: Gauge
    suppressed: Counter
    deadlettered_alerts: Counter
    skipped: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> AlertMetrics:
        """Register the alert metrics on ``registry``."""
        return cls(
            evaluated=Counter(
                "escmon_alerts_articles_evaluated_total",
                "Tagged articles run through the rules",
                registry=registry,
            ),
            fired=Counter(
                "escmon_alerts_fired_total",
                "Alerts fired",
                ["rule", "severity"],
                registry=registry,
            ),
            notifications=Counter(
                "escmon_notifications_total",
                "Delivery attempts by channel and outcome",
                ["channel", "outcome"],
                registry=registry,
            ),
            deadletters=Counter(
                "escmon_alerts_deadletters_total",
                "Messages or alerts sent to the dead-letter topic",
                ["reason"],
                registry=registry,
            ),
            delivery_seconds=Histogram(
                "escmon_notification_seconds",
                "Time to deliver an alert on a channel",
                ["channel"],
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            end_to_end_seconds=Histogram(
                "escmon_ingest_to_alert_seconds",
                "From an article's fetch to its alert's delivery",
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            score=Gauge(
                "escmon_escalation_score",
                "Escalation score of the group's current window",
                ["group"],
                registry=registry,
            ),
            killed=Gauge(
                "escmon_killed_reported",
                "Killed reported in the group's current window",
                ["group"],
                registry=registry,
            ),
            suppressed=Counter(
                "escmon_alerts_suppressed_total",
                "Alerts held back by cooldown, inhibition or a silence",
                ["rule", "reason"],
                registry=registry,
            ),
            skipped=Counter(
                "escmon_alerts_articles_skipped_total",
                "Articles or event revisions a group did not count: duplicate (already counted, "
                "or an event revision not newer than the one held) or late",
                ["reason"],
                registry=registry,
            ),
            deadlettered_alerts=Counter(
                "escmon_alerts_deadlettered_total",
                "Alerts that a channel never took after all retries (sent to deadletter)",
                ["channel"],
                registry=registry,
            ),
        )


@dataclass(frozen=True)
class EventMetrics:
    """articles.tagged → re-key by action country → link → events (in the worker)."""

    STAGE: ClassVar[str] = "worker (event stage)"  # the process exporting them (docs/metrics.md)

    not_linked: Counter
    opened: Counter
    updated: Counter
    merged: Counter
    closed: Counter
    overflow: Counter
    link_decisions: Counter
    open: Gauge
    deadletters: Counter
    link_seconds: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry) -> EventMetrics:
        """Register the event-stage metrics on ``registry``."""
        return cls(
            not_linked=Counter(
                "escmon_events_not_linked_total",
                "Tagged articles that report no event (no signal) or name no place, so not linked",
                registry=registry,
            ),
            opened=Counter(
                "escmon_events_opened_total",
                "Events opened by a first report, by the theater of that report (none: no theater)",
                ["theater"],
                registry=registry,
            ),
            updated=Counter(
                "escmon_events_updated_total",
                "Event revisions published after a report joined (or merged into) an event",
                registry=registry,
            ),
            merged=Counter(
                "escmon_events_merged_total",
                "Events merged away into another (published with status merged)",
                registry=registry,
            ),
            closed=Counter(
                "escmon_events_closed_total",
                "Events closed by event time (older than events.horizon), and those closed early",
                registry=registry,
            ),
            overflow=Counter(
                "escmon_events_closed_early_total",
                "Events closed before the horizon because their country's state grew over "
                "events.max_state_bytes",
                registry=registry,
            ),
            link_decisions=Counter(
                "escmon_events_link_decisions_total",
                "Link decisions on reports by reason (opened, or what the reports shared)",
                ["reason"],
                registry=registry,
            ),
            open=Gauge(
                "escmon_events_open",
                "Open events of the countries this worker linked since it started",
                registry=registry,
            ),
            deadletters=Counter(
                "escmon_events_deadletters_total",
                "Messages of the event stage sent to the dead-letter topic",
                ["reason"],
                registry=registry,
            ),
            link_seconds=Histogram(
                "escmon_events_link_seconds",
                "Time to link a batch of reports and publish the event revisions they gave",
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
        )
