"""Fetching the pages behind feed items, politely and safely (the HTTP shell of full text).

Politely: robots.txt honoured (cached per host, ``urllib.robotparser``; RFC 9309: a 4xx robots.txt
allows all, an unreachable one disallows all until it is asked again), one request at a time per
host with a delay between requests (a longer robots.txt Crawl-delay wins, up to a ceiling), a
User-Agent naming the project and a contact, timeouts, the size cap and a few redirects.

Safely: a feed item's link is untrusted. Every hop of a redirect chain is checked, and names are
resolved by a resolver that drops loopback, private, link-local and metadata addresses, so the
address that is checked is the address that is connected to (no DNS-rebinding window).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
import urllib.robotparser
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from escmon.settings import ArticleFetchSettings
from producers.fetch import _read_capped, _short
from producers.fulltext import is_html, refused_address

logger = logging.getLogger(__name__)

AGENT = "escalation-monitor"  # the product token robots.txt groups are matched against
ROBOTS_MAX_BYTES = 512_000  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_RETRY = 600.0  # seconds an unreachable robots.txt is believed to disallow all
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class RefusedAddressError(OSError):
    """A name resolved only to addresses the producer must not fetch from."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host} resolves to a {reason} address")
        self.reason = reason


class GuardedResolver(AbstractResolver):
    """The system resolver, minus the addresses :func:`refused_address` refuses."""

    def __init__(self, guard: Callable[[str], str | None] = refused_address) -> None:
        self._inner = ThreadedResolver()
        self.guard = guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host``; raise :class:`RefusedAddressError` when no address may be used."""
        results = await self._inner.resolve(host, port, family)
        allowed = [r for r in results if self.guard(r["host"]) is None]
        if not allowed:
            first = self.guard(results[0]["host"]) if results else None
            raise RefusedAddressError(host, first or "unknown")
        return allowed

    async def close(self) -> None:
        """Close the inner resolver."""
        await self._inner.close()


def allowing(networks: Sequence[IPv4Network | IPv6Network]) -> Callable[[str], str | None]:
    """:func:`refused_address`, except that addresses in ``networks`` are allowed."""

    def guard(address: str) -> str | None:
        reason = refused_address(address)
        if reason is None or not networks:
            return reason
        try:
            ip = ip_address(address.split("%", 1)[0])
        except ValueError:
            return reason
        return None if any(ip in net for net in networks) else reason

    return guard


@dataclass(frozen=True)
class Page:
    """What fetching one link gave: ``ok`` (an HTML page), ``robots`` (disallowed) or ``failed``."""

    status: str
    url: str
    data: bytes = b""
    content_type: str | None = None
    reason: str = ""  # "<kind>: <detail>" when failed


@dataclass
class _Answer:
    status: int
    location: str | None = None
    content_type: str | None = None
    data: bytes = b""
    error: str = ""  # set when no usable answer came


@dataclass
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0
    delay: float = 0.0


@dataclass
class _Robots:
    parser: urllib.robotparser.RobotFileParser | None  # None: everything allowed
    expires: float
    disallow_all: bool = False
    refused: str = ""  # the host's address is refused: nothing there is fetched


class PageFetcher:
    """GETs article pages: robots.txt, per-host turns, address guard, redirects checked by hand."""

    def __init__(
        self,
        settings: ArticleFetchSettings,
        *,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
        guard: Callable[[str], str | None] | None = None,
    ) -> None:
        """``guard`` says why an IP address is refused (default :func:`refused_address`, except
        in ``settings.allow_networks``)."""
        self.settings = settings
        self.guard = guard or allowing(settings.allow_networks)
        self.max_bytes = max_bytes
        self.clock = clock
        self.user_agent = f"{AGENT}/0.1 (+{settings.contact}; article text for news monitoring)"
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._slots = asyncio.Semaphore(settings.max_concurrent)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            resolver = GuardedResolver(self.guard)
            connector = aiohttp.TCPConnector(
                resolver=resolver, limit=self.settings.max_concurrent, ttl_dns_cache=300
            )
            # trust_env off: a proxy would connect on our behalf, past the address guard.
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False)
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(self, url: str) -> Page:
        """The HTML page at ``url`` after checked redirects; never raises for network trouble."""
        return await self._follow(url, robots=True, accept_html=True)

    async def _follow(self, url: str, *, robots: bool, accept_html: bool) -> Page:
        seen: set[str] = set()
        for _ in range(self.settings.max_redirects + 1):
            if url in seen:
                return Page("failed", url, reason="redirect_loop: back to an address already seen")
            seen.add(url)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return Page("failed", url, reason=f"bad_url: {url[:200]!r}")
            literal = self._refused_literal(parts.hostname)
            if literal:
                return Page("failed", url, reason=f"refused_address: {literal}")
            if robots:
                barred = await self.robots_verdict(url)
                if barred.startswith("robots"):
                    return Page("robots", url, reason=barred)
                if barred:
                    return Page("failed", url, reason=barred)
            answer = await self._request(url, accept_html=accept_html)
            if answer.error:
                return Page("failed", url, reason=answer.error)
            if answer.status in REDIRECTS and answer.location:
                url = urljoin(url, answer.location).split("#", 1)[0]
                continue
            if answer.status >= 300:
                return Page("failed", url, reason=f"http_{answer.status}")
            return Page("ok", url, answer.data, answer.content_type)
        return Page(
            "failed", url, reason=f"too_many_redirects: more than {self.settings.max_redirects}"
        )

    def _refused_literal(self, host: str) -> str | None:
        """An IP literal never reaches the resolver, so it is checked here."""
        host = host.strip("[]")
        if refused_address(host) == "not_an_address":
            return None  # a name: the resolver checks what it resolves to
        return self.guard(host)

    # --- one request, in the host's turn ------------------------------------------------------

    async def _request(self, url: str, *, accept_html: bool) -> _Answer:
        parts = urlsplit(url)
        host = self._hosts.setdefault(f"{parts.scheme}://{parts.netloc}", _Host())
        async with host.lock:
            wait = host.next_at - self.clock()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                async with self._slots:
                    return await self._get(url, accept_html=accept_html)
            finally:
                host.next_at = self.clock() + max(self.settings.delay, host.delay)

    async def _get(self, url: str, *, accept_html: bool) -> _Answer:
        s = self.settings
        headers = {
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
            if accept_html
            else "text/plain,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
        }
        try:
            async with self._client().get(
                url,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=s.timeout),
            ) as resp:
                if resp.status in REDIRECTS:
                    return _Answer(resp.status, location=resp.headers.get("Location"))
                if resp.status >= 300:
                    return _Answer(resp.status)
                content_type = resp.headers.get("Content-Type")
                if accept_html and not is_html(content_type):
                    kind = (content_type or "").split(";", 1)[0].strip()[:60]
                    return _Answer(resp.status, error=f"not_html: {kind}")
                cap = self.max_bytes if accept_html else ROBOTS_MAX_BYTES
                declared = resp.content_length
                if declared is not None and declared > cap:
                    return _Answer(resp.status, error=f"too_large: {declared} bytes declared")
                data = await _read_capped(resp, cap)
                if data is None:
                    return _Answer(resp.status, error=f"too_large: more than {cap} bytes")
                return _Answer(resp.status, content_type=content_type, data=data)
        except TimeoutError:
            return _Answer(0, error=f"timeout: no complete answer in {s.timeout:g} s")
        except aiohttp.ClientConnectorDNSError as exc:
            if isinstance(exc.os_error, RefusedAddressError):
                return _Answer(0, error=f"refused_address: {exc.os_error.reason}")
            return _Answer(0, error=f"dns: {_short(exc)}")
        except aiohttp.ClientConnectorError as exc:
            return _Answer(0, error=f"connect: {_short(exc)}")
        except aiohttp.ClientResponseError as exc:
            return _Answer(0, error=f"bad_response: {exc.status} {exc.message}")
        except (aiohttp.ClientError, asyncio.IncompleteReadError, OSError, ValueError) as exc:
            return _Answer(0, error=f"client_{type(exc).__name__}: {_short(exc)}")

    # --- robots.txt -----------------------------------------------------------------------------

    async def robots_verdict(self, url: str) -> str:
        """Why ``url`` may not be fetched by robots.txt (``robots: …``, or the refusal of the
        host's address when robots.txt itself could not be asked); empty when it may."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        lock = self._robots_locks.setdefault(key, asyncio.Lock())
        async with lock:
            robots = self._robots.get(key)
            if robots is None or robots.expires <= self.clock():
                robots = await self._load_robots(key)
                self._robots[key] = robots
        if robots.refused:
            return robots.refused
        if robots.disallow_all:
            return "robots: robots.txt unreachable, so everything is disallowed for now"
        if robots.parser is None or robots.parser.can_fetch(AGENT, url):
            return ""
        return "robots: disallowed by robots.txt"

    async def _load_robots(self, key: str) -> _Robots:
        page = await self._follow(f"{key}/robots.txt", robots=False, accept_html=False)
        now = self.clock()
        if page.status == "ok":
            parser = urllib.robotparser.RobotFileParser()
            parser.parse(page.data.decode("utf-8", "replace").splitlines())
            parser.modified()
            delay = parser.crawl_delay(AGENT)
            if delay is not None:
                host = self._hosts.setdefault(key, _Host())
                host.delay = min(float(delay), self.settings.max_crawl_delay)
            return _Robots(parser, now + self.settings.robots_ttl)
        if page.reason.startswith("http_4"):
            return _Robots(None, now + self.settings.robots_ttl)  # no robots.txt: all allowed
        if page.reason.startswith("refused_address"):
            return _Robots(None, now + self.settings.robots_ttl, refused=page.reason)
        logger.info("robots.txt of %s unreachable (%s): its pages wait", key, page.reason)
        return _Robots(None, now + min(ROBOTS_RETRY, self.settings.robots_ttl), disallow_all=True)


@dataclass(frozen=True)
class Job:
    """One article waiting for its page."""

    url: str
    payload: Any  # what the caller needs back with the page (the article and its feed)


class HostQueues:
    """Jobs queued per host, each host served by one task in turn: a slow or polite host delays
    only its own pages, and the total waiting is bounded (``max_queue``)."""

    def __init__(
        self,
        fetcher: PageFetcher,
        on_page: Callable[[Job, Page], Awaitable[None]],
        *,
        max_queue: int,
    ) -> None:
        self.fetcher = fetcher
        self.on_page = on_page
        self.max_queue = max_queue
        self.queued = 0
        self._queues: dict[str, deque[Job]] = {}
        self._runners: dict[str, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    def submit(self, job: Job) -> bool:
        """Queue ``job``; False (not queued) when ``max_queue`` jobs wait already."""
        if self.queued >= self.max_queue:
            return False
        host = urlsplit(job.url).netloc.lower()
        self._queues.setdefault(host, deque()).append(job)
        self.queued += 1
        self._idle.clear()
        if host not in self._runners:
            self._runners[host] = asyncio.create_task(self._run(host), name=f"fulltext {host}")
        return True

    async def _run(self, host: str) -> None:
        queue = self._queues[host]
        try:
            while queue:
                job = queue.popleft()
                try:
                    page = await self.fetcher.fetch(job.url)
                    await self.on_page(job, page)
                except asyncio.CancelledError:
                    raise
                except Exception:  # one bad page must not stop this host's queue
                    logger.exception("full text of %s failed unexpectedly", job.url)
                finally:
                    self.queued -= 1
        finally:
            del self._runners[host]
            if not queue:
                del self._queues[host]
            if not self._runners:
                self._idle.set()

    async def join(self, timeout: float) -> bool:
        """Wait until every queued job is done; False when ``timeout`` passed first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        return self._idle.is_set()

    async def close(self) -> None:
        """Stop fetching (what waits keeps its summary) and close the session."""
        runners = list(self._runners.values())
        for task in runners:
            task.cancel()
        await asyncio.gather(*runners, return_exceptions=True)
        await self.fetcher.close()
