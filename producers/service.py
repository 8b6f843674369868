"""The producer process: polls feeds, reads the inbox, and drains the outbox to Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from escmon.metrics import ProducerMetrics
from escmon.models import Article, DeadLetter, stable_id, utcnow
from escmon.settings import ConfigError, FeedSettings, Settings, load_settings
from escmon.topics import client_options, ensure_topics
from producers.documents import parse_document
from producers.extraction import extract_main
from producers.feeds import parse_feed, with_feed_hints
from producers.fetch import FetchResult, fetch_file, fetch_http
from producers.files import InboxScanner, move_aside, signature
from producers.fulltext import decode_page, full_text_article
from producers.pagefetch import HostQueues, Job, Page, PageFetcher
from producers.publisher import Publisher
from producers.store import Pending, Store

logger = logging.getLogger(__name__)

STAGE = "producers"
# Seconds between prunes of the seen-set: the ttl is counted in days, so hourly is plenty.
PRUNE_INTERVAL = 3600.0


@dataclass
class Parsed:
    """A source's articles and what could not become one (duck-types Feed/DocumentResult)."""

    articles: list[Article]
    rejects: list[Any]
    error: str | None


class ProducerService:
    """Sources → outbox (SQLite) → Kafka; the outbox makes a broker outage cost only delay."""

    def __init__(
        self,
        settings: Settings,
        registry: CollectorRegistry | None = None,
        *,
        publisher: Publisher | None = None,
        now: Callable[[], datetime] = utcnow,
        config: Path | None = None,
    ) -> None:
        self.settings = settings
        self.config = config
        self.registry = registry or CollectorRegistry()
        self.metrics = ProducerMetrics.create(self.registry)
        self.now = now
        # The store stamps seen ids with the service's clock, so their age is measured on the
        # same clock that prunes them.
        self.store = Store(settings.state_dir / "producer.sqlite", clock=self._epoch)
        topics = settings.topics
        self.publisher = publisher or Publisher(
            # A full-text update goes to the same topic under the same key as its article.
            {"article": topics.raw, "update": topics.raw, "deadletter": topics.deadletter},
            client_options(settings.kafka),
        )
        self._wake = asyncio.Event()
        self._last_reason: dict[str, str] = {}
        self.connected = False
        self.metrics.pending.set_function(self.store.pending_count)
        # Counted once here and kept up to date by acknowledgements and prunes: a count(*) on
        # every scrape would read the whole seen-set on the event loop.
        self.metrics.seen_ids.set(self.store.seen_count())
        # Fetches wait on the network, parsing holds the CPU: at most ``max_concurrent`` fetches
        # at once, and one parsing thread so the event loop keeps serving timers and sockets.
        self._fetch_slots = asyncio.Semaphore(settings.producers.max_concurrent)
        self._parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-parse")
        self._feed_tasks: dict[str, tuple[FeedSettings, asyncio.Task[None]]] = {}
        self._retry_after: dict[str, float] = {}
        self._pending_checked: tuple[float, int] = (float("-inf"), 0)
        self._moved: dict[str, str] = {}
        self._noted_once: set[tuple[str, str]] = set()
        # Pages behind feed items: made on the first full-text feed, so a producer without one
        # opens no second HTTP session. Extraction has its own thread: a page must not hold up
        # the parsing of feeds.
        self.pages: HostQueues | None = None
        self._extractor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fulltext")

    def _epoch(self) -> float:
        return self.now().timestamp()

    # --- accepting what sources give -------------------------------------------------------

    def accept(
        self, source: str, result: Any, raw: bytes = b"", added: list[Article] | None = None
    ) -> int:
        """Put a parse result's new articles and dead letters in the outbox; return new count.

        The new articles themselves are appended to ``added`` when given.
        """
        cap = self.settings.processors.deadletter_cap
        new = 0
        warning = getattr(result, "warning", None)
        if warning:
            self._noted(source, warning)
        if result.error:
            self._error(source, result.error)
            dead = DeadLetter.of(
                stage=STAGE, reason=result.error, payload=raw, cap=cap, source=source
            )
            self._enqueue_dead(dead)
        for reject in result.rejects:
            self._noted(source, reject.reason)
            dead = DeadLetter.of(
                stage=STAGE, reason=reject.reason, payload=reject.payload, cap=cap, source=source
            )
            self._enqueue_dead(dead)
        with self.store.transaction():  # one commit per document, not per entry
            for article in result.articles:
                self.metrics.entries_seen.labels(source).inc()
                if self.store.known(article.id):
                    self.metrics.duplicates.inc()
                    continue
                if self.store.enqueue("article", article.id, article.to_bytes(), source):
                    new += 1
                    if added is not None:
                        added.append(article)
        if new or result.error or result.rejects:
            self._wake.set()
        return new

    def _enqueue_dead(self, dead: DeadLetter) -> None:
        # The same bad input read again (a broken feed polled every minute) is one dead letter.
        key = stable_id(dead.source, dead.reason, dead.payload)
        if self.store.known_record("deadletter", key):
            return
        if self.store.enqueue("deadletter", key, dead.to_bytes(), dead.source):
            self.metrics.deadletters.labels(_reason_label(dead.reason)).inc()

    def _error(self, source: str, reason: str) -> None:
        label = _reason_label(reason)
        self.metrics.feed_errors.labels(source, label).inc()
        # Once per feed and reason: a feed that stays broken must not flood the log.
        if self._last_reason.get(source) != reason:
            logger.warning("source %s: %s", source, reason)
            self._last_reason[source] = reason

    def _noted(self, source: str, reason: str) -> None:
        """A problem inside a source that was otherwise read (a recovered feed, a bad entry).

        Counted every time; logged once per source and kind for the life of the process, since
        such a feed keeps succeeding and would otherwise log the same line on every change.
        """
        label = _reason_label(reason)
        self.metrics.feed_errors.labels(source, label).inc()
        if (source, label) not in self._noted_once:
            self._noted_once.add((source, label))
            logger.warning("source %s: %s", source, reason)

    def _ok(self, source: str) -> None:
        if source in self._last_reason:
            logger.info("source %s: recovered", source)
            del self._last_reason[source]
        self.metrics.last_success.labels(source).set(time.time())

    # --- files -----------------------------------------------------------------------------

    def load_file(self, path: Path) -> tuple[bytes, Any] | str:
        """Read and parse one file (no state touched, so it can run off the event loop).

        Returns the bytes read and the parse result, or why the file cannot be read.
        """
        cap = self.settings.producers.max_bytes
        try:
            with path.open("rb") as fh:
                # Never more than the cap in memory: an enormous file is refused by its head.
                data = fh.read(cap + 1)
        except OSError as exc:
            return f"unreadable: {exc.strerror or exc}"
        if len(data) > cap:
            return data, Parsed([], [], f"too_large: more than {cap} bytes")
        result = parse_document(path.name, data, source=str(path), now=self.now(), max_bytes=cap)
        return data, result

    def finish_file(self, path: Path, loaded: tuple[bytes, Any] | str, *, move: bool) -> bool:
        """Put a loaded file's articles and dead letters in the outbox; move or track the file."""
        if isinstance(loaded, str):
            # Left in place (a permission may be fixed); logged once, counted every scan.
            self._error(str(path), loaded)
            return False
        data, result = loaded
        self.accept(str(path), result, data)
        if not result.error:
            self._ok(str(path))
        if move:
            try:
                target = move_aside(path, ok=not result.error)
            except OSError as exc:
                self._error(str(path), f"cannot_move: {exc.strerror or exc}")
                return False
            logger.info("read %s (%d articles) -> %s", path.name, len(result.articles), target)
        else:
            with contextlib.suppress(OSError):
                self.store.mark_file(str(path), signature(path))
            logger.info("read %s (%d articles)", path, len(result.articles))
        return not result.error

    def read_file(self, path: Path, *, move: bool) -> bool:
        """Read one file into the outbox; move it aside from the inbox when ``move``.

        Files named in the config (``move`` false) are tracked by size and mtime, so a restart
        does not send them again; inbox files move to ``done/`` or ``failed/``.
        """
        if not move:
            try:
                if self.store.file_done(str(path), signature(path)):
                    return True
            except OSError as exc:
                self._error(str(path), f"unreadable: {exc.strerror or exc}")
                return False
        return self.finish_file(path, self.load_file(path), move=move)

    async def watch_inbox(self, stop: asyncio.Event) -> None:
        """Read files dropped in the inbox once they are complete (parsed off the event loop)."""
        inbox = self.settings.producers.inbox
        if inbox is None:
            return
        inbox.mkdir(parents=True, exist_ok=True)
        scanner = InboxScanner(inbox)
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            # A full outbox leaves dropped files where they are (on disk already) until it drains.
            for path in [] if self.outbox_full() else scanner.ready():
                loaded = await loop.run_in_executor(self._parser, self.load_file, path)
                self.finish_file(path, loaded, move=True)
            await _sleep_or_stop(stop, self.settings.producers.scan_interval)

    # --- feeds -----------------------------------------------------------------------------

    async def poll(self, feed: FeedSettings, session: aiohttp.ClientSession) -> bool:
        """Poll one feed once; True on success (including 304 and an unchanged body)."""
        p = self.settings.producers
        if self.outbox_full():
            # Bounded: with the broker away for long, stop fetching rather than fill the disk.
            # Nothing is lost: the validators are unchanged, so the next poll fetches it all.
            self._error(feed.name, f"outbox_full: {p.max_pending} records wait for the broker")
            return False
        etag, modified = self.store.validators(feed.url)
        async with self._fetch_slots:
            started = time.perf_counter()
            if "://" in feed.url:
                fetched = await fetch_http(
                    session,
                    feed.url,
                    etag=etag,
                    modified=modified,
                    timeout=p.timeout,
                    max_bytes=p.max_bytes,
                )
            else:
                fetched = fetch_file(feed.url, modified=modified, max_bytes=p.max_bytes)
            self.metrics.fetch_seconds.observe(time.perf_counter() - started)
        if fetched.status == "ok":
            digest = hashlib.sha256(fetched.data).hexdigest()
            if digest == self.store.digest(feed.url):
                fetched = FetchResult("unchanged", url=fetched.url)
        self.metrics.fetches.labels(feed.name, fetched.status).inc()
        if fetched.status in ("not_modified", "unchanged"):
            # A 304 (or the very same bytes again) costs no parse.
            self.metrics.not_modified.labels(feed.name).inc()
            self._ok(feed.name)
            return True
        if fetched.status == "error":
            self._error(feed.name, fetched.reason)
            if fetched.retry_after:
                self._retry_after[feed.name] = fetched.retry_after
            return False
        if fetched.moved_to and self._moved.get(feed.name) != fetched.moved_to:
            self._moved[feed.name] = fetched.moved_to
            logger.warning(
                "feed %s moved permanently to %s; update its url in the config",
                feed.name,
                fetched.moved_to,
            )
        result = await asyncio.get_running_loop().run_in_executor(
            self._parser,
            lambda: parse_feed(
                fetched.data,
                source=feed.name,
                now=self.now(),
                content_type=fetched.content_type,
                base_url=fetched.url,
                max_entries=p.max_entries,
            ),
        )
        result.articles = with_feed_hints(result.articles, feed.region, feed.tags)
        added: list[Article] = []
        self.accept(feed.name, result, fetched.data, added)
        if feed.full_text:
            # The summaries are in the outbox already: the pages come later, as updates.
            self.fetch_full_text(feed, added)
        if result.error:
            return False
        # Validators only after the articles are safe in the outbox: a crash in between means
        # one more full fetch, never a lost entry.
        self.store.set_validators(feed.url, fetched.etag, fetched.modified)
        self.store.set_digest(feed.url, digest)
        self._ok(feed.name)
        return True

    # --- the pages behind feed items -------------------------------------------------------

    def fetch_full_text(self, feed: FeedSettings, articles: list[Article]) -> int:
        """Queue the pages of ``articles`` (already in the outbox); return how many were queued."""
        if self.pages is None:
            p = self.settings.producers
            fetcher = PageFetcher(p.article_fetch, max_bytes=p.max_bytes)
            self.pages = HostQueues(
                fetcher, self._page_arrived, max_queue=p.article_fetch.max_queue
            )
            pages = self.pages
            self.metrics.fulltext_queued.set_function(lambda: pages.queued)
        queued = 0
        for article in articles:
            if not article.url:
                continue
            if self.pages.submit(Job(article.url, (feed.name, article))):
                queued += 1
            else:
                self._page_failed(feed.name, article, "queue_full: too many pages waiting")
        return queued

    async def _page_arrived(self, job: Job, page: Page) -> None:
        feed, article = job.payload
        if page.status == "robots":
            self.metrics.fulltext_robots.labels(feed).inc()
            return
        if page.status != "ok":
            self._page_failed(feed, article, page.reason)
            return
        self.metrics.fulltext_fetched.labels(feed).inc()
        min_chars = self.settings.producers.article_fetch.min_chars

        def extract() -> Any:
            text = decode_page(page.data, page.content_type)
            found = extract_main(text, url=page.url, now=self.now())
            return found, full_text_article(article, text, found, min_chars=min_chars)

        found, verdict = await asyncio.get_running_loop().run_in_executor(self._extractor, extract)
        self.metrics.fulltext_seconds.observe(found.seconds)
        if verdict.article is None:
            self._page_failed(feed, article, f"{verdict.reason}: {len(found.text)} characters")
            return
        if self.store.known_record("update", article.id):
            return  # an update for this id was published already (a feed item seen again)
        if self.store.enqueue("update", article.id, verdict.article.to_bytes(), feed):
            self.metrics.fulltext_extracted.labels(feed).inc()
            self._wake.set()

    def _page_failed(self, feed: str, article: Article, reason: str) -> None:
        label = _reason_label(reason)
        self.metrics.fulltext_failures.labels(feed, label).inc()
        if (f"fulltext {feed}", label) not in self._noted_once:
            self._noted_once.add((f"fulltext {feed}", label))
            logger.warning(
                "feed %s: article %s keeps its summary: %s (%s); logged once per feed and reason",
                feed,
                article.id,
                reason,
                article.url,
            )

    def outbox_full(self) -> bool:
        """True while the outbox holds ``max_pending`` records (counted at most once a second)."""
        now = time.monotonic()
        if now - self._pending_checked[0] > 1.0:
            self._pending_checked = (now, self.store.pending_count())
        return self._pending_checked[1] >= self.settings.producers.max_pending

    def next_delay(self, feed: FeedSettings, failures: int) -> float:
        """Seconds until the next poll: the interval, doubled per failure up to the ceiling."""
        p = self.settings.producers
        delay = feed.interval
        if failures:
            delay = min(feed.interval * (2**failures), max(p.backoff_max, feed.interval))
        return delay * random.uniform(1 - p.jitter, 1 + p.jitter)  # noqa: S311 - jitter

    async def poll_forever(
        self, feed: FeedSettings, session: aiohttp.ClientSession, stop: asyncio.Event
    ) -> None:
        """Poll on the feed's interval with jitter; back off exponentially while it fails."""
        failures = 0
        # Spread the first polls of hundreds of feeds instead of starting them all at once.
        await _sleep_or_stop(stop, random.uniform(0, min(feed.interval, 5.0) * 0.2))  # noqa: S311 - jitter
        while not stop.is_set():
            try:
                ok = await self.poll(feed, session)
            except Exception:  # a bug must not end this feed's polling for good
                logger.exception("feed %s: poll failed unexpectedly", feed.name)
                self.metrics.feed_errors.labels(feed.name, "internal").inc()
                ok = False
            failures = 0 if ok else min(failures + 1, 30)
            delay = self.next_delay(feed, failures)
            # A server that says when to come back (429/503 Retry-After) is believed, up to
            # the backoff ceiling.
            asked = self._retry_after.pop(feed.name, 0.0)
            delay = max(delay, min(asked, self.settings.producers.backoff_max))
            await _sleep_or_stop(stop, delay)

    def start_feeds(
        self, feeds: list[FeedSettings], session: aiohttp.ClientSession, stop: asyncio.Event
    ) -> None:
        """Make the running feed tasks match ``feeds``: start new, stop removed, restart changed."""
        wanted = {f.name: f for f in feeds if f.enabled}
        for name in list(self._feed_tasks):
            current, task = self._feed_tasks[name]
            if wanted.get(name) != current:
                task.cancel()
                del self._feed_tasks[name]
                logger.info(
                    "feed %s: stopped (%s)", name, "changed" if name in wanted else "removed"
                )
        for name, feed in wanted.items():
            if name not in self._feed_tasks:
                task = asyncio.create_task(self.poll_forever(feed, session, stop), name=name)
                self._feed_tasks[name] = (feed, task)

    async def watch_config(self, session: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        """Reload the feed list when the config file changes; a broken file keeps the old list."""
        if self.config is None:
            return
        interval = self.settings.producers.reload_interval

        def stamp() -> int | None:
            try:
                return self.config.stat().st_mtime_ns if self.config else None
            except OSError:
                return None

        last = stamp()
        while not stop.is_set():
            await _sleep_or_stop(stop, interval)
            now = stamp()
            if now is None or now == last:
                continue
            last = now
            try:
                fresh = load_settings(self.config)
            except ConfigError as exc:
                logger.error("config not reloaded, the running feeds go on: %s", exc)
                continue
            before = {f.name for f in self.settings.producers.feeds if f.enabled}
            self.settings = self.settings.model_copy(
                update={
                    "producers": self.settings.producers.model_copy(
                        update={"feeds": fresh.producers.feeds}
                    )
                }
            )
            self.start_feeds(fresh.producers.feeds, session, stop)
            after = {f.name for f in fresh.producers.feeds if f.enabled}
            logger.info(
                "config reloaded: %d feeds (%d added, %d removed)",
                len(after),
                len(after - before),
                len(before - after),
            )

    # --- the outbox ------------------------------------------------------------------------

    async def drain_once(self) -> int:
        """Publish what waits in the outbox; return how many the broker acknowledged."""
        total = 0
        loop = asyncio.get_running_loop()
        while True:
            batch = self.store.pending(500)
            if not batch:
                return total
            started = time.perf_counter()
            done = await loop.run_in_executor(None, self.publisher.publish, batch)
            self.connected = bool(done)
            if done:
                self.metrics.publish_seconds.observe(time.perf_counter() - started)
                self.acknowledged(done)
                total += len(done)
            if len(done) < len(batch):
                return total

    def acknowledged(self, done: list[Pending]) -> None:
        """The broker has ``done``: move them from the outbox to the seen-set and count them."""
        self.metrics.seen_ids.inc(self.store.acknowledged(done))
        for item in done:
            if item.kind == "article":
                self.metrics.published.labels(item.source).inc()
            elif item.kind == "update":
                self.metrics.fulltext_published.labels(item.source).inc()

    # --- forgetting old ids ----------------------------------------------------------------

    def prune_seen(self) -> int:
        """Forget ids and file records older than ``producers.seen_ttl``; return ids forgotten.

        What is still in the outbox is never forgotten (see :meth:`Store.prune`). An item still
        in a feed after the ttl is published again the next time the feed changes, which is
        why the ttl must be longer than any feed keeps an item.
        """
        p = self.settings.producers
        cutoff = self._epoch() - p.seen_ttl
        pruned = self.store.prune(cutoff, keep_files=[str(path) for path in p.files])
        size = self.store.seen_count()
        self.metrics.seen_pruned.inc(pruned.seen)
        self.metrics.seen_ids.set(size)
        logger.info(
            "seen-set pruned: %d ids and %d file records older than %s forgotten, %d ids kept",
            pruned.seen,
            pruned.files,
            datetime.fromtimestamp(cutoff, UTC).isoformat(timespec="seconds"),
            size,
            extra={
                "seen_pruned": pruned.seen,
                "files_pruned": pruned.files,
                "seen_ids": size,
                "seen_ttl": p.seen_ttl,
            },
        )
        return pruned.seen

    async def prune_forever(self, stop: asyncio.Event, interval: float = PRUNE_INTERVAL) -> None:
        """Prune the seen-set every ``interval`` seconds (the first prune is at start-up)."""
        while not stop.is_set():
            await _sleep_or_stop(stop, interval)
            if stop.is_set():
                return
            try:
                self.prune_seen()
            except Exception:  # a failed prune must not end pruning for good; the next may work
                logger.exception("seen-set prune failed")

    async def drain_forever(self, stop: asyncio.Event) -> None:
        """Keep the outbox empty; retry with backoff while the broker is away."""
        delay = 1.0
        while not stop.is_set():
            self._wake.clear()
            await self.drain_once()
            if self.store.pending_count():
                await _sleep_or_stop(stop, delay)
                delay = min(delay * 2, 30.0)
                continue
            delay = 1.0
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=5.0, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()

    # --- the process -----------------------------------------------------------------------

    async def serve_metrics(self) -> web.AppRunner | None:
        """Serve /metrics, /healthz and /readyz."""
        m = self.settings.metrics
        if m.producer_port <= 0:
            return None

        async def metrics(_: web.Request) -> web.Response:
            body = generate_latest(self.registry)
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

        async def healthz(_: web.Request) -> web.Response:
            return web.json_response({"status": "alive", "app": "escmon-producer"})

        async def readyz(_: web.Request) -> web.Response:
            pending = self.store.pending_count()
            ready = self.connected or pending == 0
            return web.json_response(
                {"ready": ready, "pending": pending}, status=200 if ready else 503
            )

        app = web.Application()
        app.router.add_get("/metrics", metrics)
        app.router.add_get("/healthz", healthz)
        app.router.add_get("/readyz", readyz)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, m.host, m.producer_port).start()
        return runner

    async def run(self, stop: asyncio.Event, *, once: bool = False) -> None:
        """Run until ``stop`` is set (or, with ``once``, until every source was read once)."""
        runner = await self.serve_metrics()
        p = self.settings.producers
        try:
            self.prune_seen()
            for path in p.files:
                self.read_file(path, move=False)
            feeds = [f for f in p.feeds if f.enabled]
            connector = aiohttp.TCPConnector(limit=p.max_concurrent, ttl_dns_cache=300)
            async with aiohttp.ClientSession(connector=connector) as session:
                if once:
                    if p.inbox is not None and p.inbox.is_dir():
                        for path in InboxScanner(p.inbox, settle=0).ready():
                            self.read_file(path, move=True)
                    await asyncio.gather(*(self.poll(f, session) for f in feeds))
                    await self.drain_until_empty(timeout=60.0)
                    if self.pages is not None:
                        await self.pages.join(timeout=300.0)
                        await self.drain_until_empty(timeout=60.0)
                    return
                tasks = [
                    asyncio.create_task(self.watch_inbox(stop), name="inbox"),
                    asyncio.create_task(self.drain_forever(stop), name="drain"),
                    asyncio.create_task(self.watch_config(session, stop), name="config"),
                    asyncio.create_task(self.prune_forever(stop), name="prune"),
                ]
                self.start_feeds(feeds, session, stop)
                await stop.wait()
                tasks += [task for _, task in self._feed_tasks.values()]
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                # Whatever is still in the outbox stays on disk for the next start; with the
                # broker away, a last attempt would only hold up the shutdown.
                if self.connected:
                    await self.drain_until_empty(timeout=5.0)
        finally:
            if self.pages is not None:
                await self.pages.close()
            self._extractor.shutdown(wait=True)
            if runner is not None:
                await runner.cleanup()
            await asyncio.get_running_loop().run_in_executor(None, self.publisher.close)
            self._parser.shutdown(wait=True)
            self.store.close()

    async def drain_until_empty(self, timeout: float) -> None:
        """Publish until the outbox is empty or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while self.store.pending_count() and time.monotonic() < deadline:
            if not await self.drain_once():
                await asyncio.sleep(1.0)


def _reason_label(reason: str) -> str:
    # Label values must stay few: keep the reason's kind, not its details.
    return reason.split(":", 1)[0].strip()[:60] or "unknown"


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))


def run_producer(settings: Settings, *, once: bool = False, config: Path | None = None) -> int:
    """Run the producer process until SIGTERM/SIGINT; feeds follow changes of ``config``."""
    ensure_topics(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        service = ProducerService(settings, config=config)
        logger.info(
            "producer started: %d feeds, inbox %s",
            len(settings.producers.feeds),
            settings.producers.inbox,
        )
        await service.run(stop, once=once)
        logger.info("producer stopped")

    asyncio.run(main())
    return 0
