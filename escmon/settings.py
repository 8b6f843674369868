"""One settings model: a YAML file, then ``ESCMON_…`` environment variables on top.

Nested keys use ``__`` in the environment: ``ESCMON_KAFKA__BOOTSTRAP=host:9092`` overrides
``kafka.bootstrap``. Relative paths in the file are relative to the file's own folder, so the
shipped ``seeds/escmon.yaml`` works from any working directory.
"""

from __future__ import annotations

import os
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from escmon.errors import ConfigError
from escmon.secrets import MIN_SECRET, mask_scheme_only, mask_url, mask_value, url_fragments

ENV_PREFIX = "ESCMON_"
CONFIG_ENV = "ESCMON_CONFIG"
DEFAULT_CONFIG = Path("seeds/escmon.yaml")

__all__ = ["ConfigError", "Settings", "config_path", "load_settings"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KafkaSettings(_Section):
    """Where the Kafka cluster is and how topics are made."""

    bootstrap: str = Field("127.0.0.1:19092", description="comma-separated host:port list")
    local_broker: bool = Field(
        True, description="start the embedded single-node broker (escmon broker) when running"
    )
    partitions: int = Field(4, ge=1, description="partitions for topics escmon creates")
    replication: int = Field(1, ge=1, description="replication factor for topics escmon creates")
    security_protocol: str = Field("PLAINTEXT", description="PLAINTEXT, SSL, SASL_SSL, ...")
    sasl_mechanism: str | None = Field(None, description="e.g. PLAIN, SCRAM-SHA-512")
    sasl_username: str | None = Field(None, description="SASL user")
    sasl_password: SecretStr | None = Field(
        None, description="set it as ESCMON_KAFKA__SASL_PASSWORD in the environment"
    )
    ssl_cafile: Path | None = Field(None, description="CA bundle for SSL / SASL_SSL")
    app_prefix: str = Field(
        "escmon", description="prefix of the Faust app ids (consumer groups) and internal topics"
    )

    @field_validator("bootstrap")
    @classmethod
    def _hostports(cls, value: str) -> str:
        for part in value.split(","):
            host, sep, port = part.strip().rpartition(":")
            if not sep or not host or not port.isdigit():
                msg = f"expected host:port[,host:port...], got {value!r}"
                raise ValueError(msg)
        return value

    @property
    def servers(self) -> list[str]:
        """The bootstrap list as a list."""
        return [p.strip() for p in self.bootstrap.split(",")]


class TopicSettings(_Section):
    """Topic names (override to share a cluster between installations)."""

    raw: str = Field("articles.raw", description="article/1 records from the producers")
    tagged: str = Field("articles.tagged", description="tagged/1 records from the worker")
    by_country: str = Field(
        "articles.by-country", description="tagged articles re-keyed by action country (linking)"
    )
    events: str = Field("events", description="event/1 records, keyed by event id")
    alerts: str = Field("alerts", description="alert/1 records: the durable alert history")
    deadletter: str = Field(
        "deadletter", description="deadletter/1 records: what a stage could not use, and why"
    )


class BrokerSettings(_Section):
    """The embedded local broker (development, quick start and tests)."""

    port: int = Field(19092, ge=1, le=65535, description="client port (kafka.bootstrap)")
    controller_port: int = Field(19093, ge=1, le=65535, description="KRaft controller port")
    heap: str = Field("512m", description="JVM -Xmx for the broker")
    java: str = Field("java", description="java executable (JAVA_HOME/bin/java is preferred)")
    start_timeout: float = Field(90.0, gt=0, description="seconds to wait for the broker")


class FeedSettings(_Section):
    """One RSS/Atom feed."""

    name: str = Field(description="the feed in logs and in the `feed` label of its metrics")
    url: str = Field(description="http(s) URL, or a path to a local feed file")
    interval: float = Field(300.0, gt=0, description="seconds between polls")
    enabled: bool = Field(True, description="false keeps the entry but stops polling it")
    region: str | None = Field(
        None, description="theater (e.g. Middle East) used when an article names no place"
    )
    tags: list[str] = Field(default_factory=list, description="carried on its articles")
    full_text: bool = Field(
        False,
        description="fetch the page behind each new item's link and publish its main text as "
        "an update of the same article (producers.article_fetch says how politely)",
    )


class ArticleFetchSettings(_Section):
    """Fetching the article behind a feed item (feeds with ``full_text: true``)."""

    contact: str = Field(
        "https://github.com/escalation-monitor",
        description="URL or e-mail in the User-Agent, so a site's operator can reach you",
    )
    delay: float = Field(
        2.0, ge=0, description="seconds between two requests to one host (robots.txt included)"
    )
    max_crawl_delay: float = Field(
        60.0, ge=0, description="a robots.txt Crawl-delay is honoured up to this many seconds"
    )
    max_concurrent: int = Field(8, ge=1, description="article requests at once, over all hosts")
    max_queue: int = Field(
        5000, ge=1, description="articles waiting for their page; past this they keep the summary"
    )
    timeout: float = Field(15.0, gt=0, description="seconds one request may take in all")
    max_redirects: int = Field(5, ge=0, description="redirects followed per page")
    robots_ttl: float = Field(86400.0, gt=0, description="seconds a host's robots.txt is cached")
    min_chars: int = Field(
        200,
        ge=0,
        description="a page whose main text is shorter (or not longer than the summary) keeps "
        "the summary: a paywall, a consent wall or a video page",
    )
    allow_networks: list[IPv4Network | IPv6Network] = Field(
        default_factory=list,
        description="networks fetched from although loopback, private or link-local (CIDR, "
        "e.g. 127.0.0.1/32 in tests); empty, so a hostile feed cannot make the producer read "
        "internal services",
    )


class ProducerSettings(_Section):
    """Sources that become articles."""

    inbox: Path | None = Field(
        Path("inbox"),
        description="folder watched for dropped files; read ones move to done/, unreadable "
        "ones to failed/; null: none",
    )
    files: list[Path] = Field(
        default_factory=list, description="files read once at start (tracked, not re-sent)"
    )
    scan_interval: float = Field(1.0, gt=0, description="seconds between inbox scans")
    feeds: list[FeedSettings] = Field(
        default_factory=list, description="RSS/Atom feeds, each as in producers.feeds[] below"
    )
    max_bytes: int = Field(5_000_000, gt=0, description="size cap for a feed or file")
    timeout: float = Field(20.0, gt=0, description="HTTP timeout in seconds")
    max_concurrent: int = Field(64, ge=1, description="feeds fetched at the same time")
    jitter: float = Field(
        0.1, ge=0, lt=1, description="poll intervals vary by this fraction, spreading the load"
    )
    backoff_max: float = Field(
        3600.0, gt=0, description="ceiling in seconds of the doubling delay after failed polls"
    )
    reload_interval: float = Field(
        2.0, gt=0, description="seconds between checks of the config file for changed feeds"
    )
    max_entries: int = Field(1000, ge=1, description="entries read per feed document")
    article_fetch: ArticleFetchSettings = Field(default_factory=ArticleFetchSettings)
    max_pending: int = Field(
        500_000,
        ge=1,
        description="records the outbox may hold while the broker is away; then polling pauses",
    )
    seen_ttl: float = Field(
        30 * 24 * 3600.0,
        gt=0,
        description="seconds a published article id (and a file read) is remembered to stop "
        "resends; longer than any feed keeps an item, or an old item still in a feed is "
        "published again when the feed changes. Downstream only partly helps: the rules skip an "
        "id already in a group's window, and an article whose published date is older than the "
        "rules' look-back as late, but the tagger tags it again, and an item with no published "
        "date gets its new fetch time and is counted as news",
    )


class ProcessorSettings(_Section):
    """The tagger."""

    model: str | None = Field(
        None,
        description="trained spaCy pipeline (package name or path), e.g. en_core_web_sm; "
        "null: spacy.blank(\"en\")",
    )
    batch_size: int = Field(
        64, ge=1, description="articles per nlp.pipe batch (and per Faust take_events batch)"
    )
    max_chars: int = Field(200_000, gt=0, description="longer articles go to the dead-letter topic")
    deadletter_cap: int = Field(64_000, gt=0, description="payload characters kept in dead letters")
    session_timeout: float = Field(
        20.0,
        ge=6,
        description="seconds before a silent worker's partitions move to another; longer than "
        "the slowest tagging batch, which holds the event loop",
    )


class EventSettings(_Section):
    """The event stage in the worker: tagged articles linked into events (issue 13)."""

    enabled: bool = Field(
        True, description="run the event agents (re-key by action country, link) in the worker"
    )
    horizon: float = Field(
        5 * 24 * 3600.0,
        gt=0,
        description="seconds of event time an event stays open: events older than the newest "
        "article seen on the same action country minus this are closed and forgotten; event "
        "time, not wall-clock, so replayed news is linked as it would have been live",
    )
    batch_size: int = Field(
        64, ge=1, description="articles the link agent takes at once (a key is stored once each)"
    )
    max_state_bytes: int = Field(
        900_000,
        ge=10_000,
        description="largest stored state of one action country (a Kafka message must hold it; "
        "the broker's default limit is 1 MB): over it, the country's older events close early",
    )


class AlertSettings(_Section):
    """Rules and where alerts go."""

    rules: Path = Field(Path("rules.yaml"), description="the rule file (docs/rules.md)")
    console: bool = Field(True, description="print alerts on stdout (the journal under systemd)")
    webhooks: list[str] = Field(default_factory=list, description="URLs receiving Alert JSON")
    apprise: list[SecretStr] = Field(
        default_factory=list, description="apprise URLs (slack://, mailto://, ntfy://, ...)"
    )
    alertmanager: str | None = Field(None, description="Alertmanager base URL (v2 API)")
    retries: int = Field(5, ge=0, description="delivery attempts before dead-lettering")
    retry_backoff: float = Field(1.0, gt=0, description="first retry delay, doubled each time")
    tick_interval: float = Field(5.0, gt=0, description="seconds between rule ticks")
    timeout: float = Field(10.0, gt=0, description="seconds a webhook/Alertmanager call may take")
    session_timeout: float = Field(
        10.0, ge=6, description="seconds before a silent notifier's partitions move to another"
    )
    template: str | None = Field(
        None, description="message template; its fields in docs/rules.md (default: built in)"
    )
    title_template: str | None = Field(
        None, description="message title template (default: [SEVERITY] rule: group)"
    )


class MetricsSettings(_Section):
    """Where each process serves /metrics (Prometheus) and health."""

    host: str = Field("127.0.0.1", description="address the three HTTP servers bind")
    producer_port: int = Field(9101, ge=0, le=65535, description="0: no HTTP server")
    worker_port: int = Field(9102, ge=0, le=65535, description="0: no HTTP server")
    notifier_port: int = Field(9103, ge=0, le=65535, description="0: no HTTP server")


class SupervisorSettings(_Section):
    """``escmon run``: how it watches the stage processes it started."""

    unready_restart: float = Field(
        180.0,
        ge=0,
        description="restart a stage whose /readyz has not said ready for this many seconds, "
        "counted from its start (so longer than a cold start); 0 disables",
    )
    poll_interval: float = Field(5.0, gt=0, description="seconds between /readyz polls")
    poll_timeout: float = Field(
        2.0, gt=0, description="seconds a /readyz answer may take; no answer counts as not ready"
    )
    stop_grace: float = Field(
        30.0, gt=0, description="seconds a stage gets after SIGTERM before it is SIGKILLed"
    )


class LogSettings(_Section):
    """Logging."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="lowest level logged"
    )
    json_format: bool = Field(False, alias="json", description="one JSON object per line")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Settings(BaseSettings):
    """The whole configuration."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        populate_by_name=True,
    )

    state_dir: Path = Field(
        Path("../.state"),
        description="local state: broker data, producer outbox and seen-set, Faust data, silences; "
        "the systemd units need /var/lib/escmon (deploy/escmon.example.yaml)",
    )
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    broker: BrokerSettings = Field(default_factory=BrokerSettings)
    producers: ProducerSettings = Field(default_factory=ProducerSettings)
    processors: ProcessorSettings = Field(default_factory=ProcessorSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    supervisor: SupervisorSettings = Field(default_factory=SupervisorSettings)
    logging: LogSettings = Field(default_factory=LogSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment beats the file (the file's values arrive as init kwargs)."""
        return (env_settings, init_settings)

    def resolved(self, base: Path) -> Settings:
        """Return a copy with relative paths made absolute against ``base``."""

        def fix(path: Path) -> Path:
            return path if path.is_absolute() else (base / path).resolve()

        producers = self.producers.model_copy(
            update={
                "inbox": fix(self.producers.inbox) if self.producers.inbox else None,
                "files": [fix(p) for p in self.producers.files],
                "feeds": [
                    f if "://" in f.url else f.model_copy(update={"url": str(fix(Path(f.url)))})
                    for f in self.producers.feeds
                ],
            }
        )
        alerts = self.alerts.model_copy(update={"rules": fix(self.alerts.rules)})
        return self.model_copy(
            update={"state_dir": fix(self.state_dir), "producers": producers, "alerts": alerts}
        )

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain data with secrets masked (for `config show` and logs).

        ``SecretStr`` fields (the SASL password, apprise URLs) dump as the mask by themselves;
        webhook and Alertmanager URLs are plain strings the channels need whole, so they are
        masked here, down to scheme and host.
        """
        data = self.model_dump(mode="json", by_alias=True)
        alerts = data["alerts"]
        alerts["webhooks"] = [mask_url(u) for u in self.alerts.webhooks]
        if self.alerts.alertmanager is not None:
            alerts["alertmanager"] = mask_url(self.alerts.alertmanager)
        alerts["apprise"] = [mask_scheme_only(u.get_secret_value()) for u in self.alerts.apprise]
        return data

    def secrets(self) -> set[str]:
        """Every configured secret string, and the parts of it a library might log on its own.

        The logging set-up redacts these from every line (see :mod:`escmon.logs`).
        """
        found: set[str] = set()
        password = self.kafka.sasl_password
        if password is not None and len(password.get_secret_value()) >= MIN_SECRET:
            found.add(password.get_secret_value())
        for url in self.alerts.webhooks:
            found |= url_fragments(url)
        if self.alerts.alertmanager:
            found |= url_fragments(self.alerts.alertmanager)
        for secret in self.alerts.apprise:
            found |= url_fragments(secret.get_secret_value(), host_is_secret=True)
        return found


def _one_line(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err.get("loc", ())) or "(top level)"
    # A URL given under a misspelt key or of the wrong shape may be a secret webhook: masked.
    given = mask_value(err.get("input"))
    shown = "" if isinstance(given, dict | list) or given is None else f" (got {given!r})"
    more = f" [+{exc.error_count() - 1} more]" if exc.error_count() > 1 else ""
    return f"{source}: {key}: {err.get('msg')}{shown}{more}"


def config_path(explicit: str | Path | None = None) -> Path | None:
    """The config file: explicit, else $ESCMON_CONFIG, else seeds/escmon.yaml if present."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def load_settings(path: str | Path | None = None) -> Settings:
    """Load and validate the configuration; raise :class:`ConfigError` with one clear line."""
    file = config_path(path)
    data: Any = {}
    source = "environment"
    if file is not None:
        source = str(file)
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            msg = f"{file}: config file not found"
            raise ConfigError(msg) from None
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"{file}: cannot read config: {exc}"
            raise ConfigError(msg) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "invalid YAML"
            msg = f"{file}: YAML error{where}: {problem}"
            raise ConfigError(msg) from None
        if not isinstance(data, dict):
            msg = f"{file}: expected a mapping of settings at the top level"
            raise ConfigError(msg)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc, source)) from None
    base = file.parent.resolve() if file is not None else Path.cwd()
    return settings.resolved(base)
