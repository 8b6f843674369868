"""Delivering alerts: console, our JSON webhook, apprise URLs and Alertmanager's v2 API.

Each channel raises :class:`DeliveryError` when a delivery did not happen; :func:`deliver` retries
with exponential backoff and reports the outcome, so the caller can dead-letter an alert that never
got through instead of dropping it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, TextIO

import aiohttp
import apprise

from escmon.errors import ConfigError, DeliveryError
from escmon.models import Alert
from escmon.secrets import mask_scheme_only

logger = logging.getLogger(__name__)


class Channel(Protocol):
    """Something that takes an alert and its rendered message."""

    name: str

    async def send(self, alert: Alert, title: str, body: str) -> None:
        """Deliver or raise :class:`DeliveryError`."""


class ConsoleChannel:
    """Prints the message on stdout: what a person running ``escmon run`` sees."""

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    async def send(self, alert: Alert, title: str, body: str) -> None:
        """Print the alert."""
        out = self.stream or sys.stdout
        bar = "=" * 78
        out.write(f"\n{bar}\n{title}\n{bar}\n{body}\n{bar}\n")
        out.flush()


class WebhookChannel:
    """POSTs the Alert JSON (our schema) to a URL; the alert id rides in a header to dedupe on."""

    def __init__(self, url: str, session: aiohttp.ClientSession, timeout: float = 10.0) -> None:
        self.url = url
        self.name = "webhook"
        self.session = session
        self.timeout = timeout

    async def send(self, alert: Alert, title: str, body: str) -> None:
        """POST the alert."""
        headers = {"Content-Type": "application/json", "X-Escmon-Alert-Id": alert.id}
        try:
            async with self.session.post(
                self.url,
                data=alert.to_bytes(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as resp:
                if resp.status >= 300:
                    msg = f"webhook answered HTTP {resp.status}"
                    raise DeliveryError(msg)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            msg = f"webhook unreachable: {type(exc).__name__}"
            raise DeliveryError(msg) from None


class AppriseChannel:
    """Any apprise URL (Slack, Teams, Telegram, email, ntfy ...), through its async API."""

    name = "apprise"

    def __init__(self, urls: list[str]) -> None:
        self.apprise = apprise.Apprise()
        for url in urls:
            if not self.apprise.add(url):
                # The URL may hold a secret: name its scheme only.
                shown = mask_scheme_only(url)
                msg = f"alerts.apprise: apprise cannot use this URL (got {shown!r})"
                raise ConfigError(msg)

    async def send(self, alert: Alert, title: str, body: str) -> None:
        """Notify every configured service."""
        kind = (
            apprise.NotifyType.FAILURE
            if alert.severity == "critical"
            else (
                apprise.NotifyType.SUCCESS
                if alert.status == "resolved"
                else apprise.NotifyType.WARNING
            )
        )
        result = await self.apprise.async_notify(body=body, title=title, notify_type=kind)
        if not result:
            msg = f"apprise delivery failed ({getattr(result, 'status', result)!s})"
            raise DeliveryError(msg)


class AlertmanagerChannel:
    """Posts to Prometheus Alertmanager's ``/api/v2/alerts`` for teams that route alerts there."""

    name = "alertmanager"

    def __init__(
        self, base_url: str, session: aiohttp.ClientSession, timeout: float = 10.0
    ) -> None:
        self.url = base_url.rstrip("/") + "/api/v2/alerts"
        self.session = session
        self.timeout = timeout

    async def send(self, alert: Alert, title: str, body: str) -> None:
        """POST one alert in Alertmanager's format."""
        payload = [alertmanager_payload(alert, title, body)]
        try:
            async with self.session.post(
                self.url, json=payload, timeout=aiohttp.ClientTimeout(total=self.timeout)
            ) as resp:
                if resp.status >= 300:
                    msg = f"alertmanager answered HTTP {resp.status}"
                    raise DeliveryError(msg)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            msg = f"alertmanager unreachable: {type(exc).__name__}"
            raise DeliveryError(msg) from None


def alertmanager_payload(alert: Alert, title: str, body: str) -> dict[str, object]:
    """The v2 API's postable alert for ``alert``."""
    item: dict[str, object] = {
        "labels": {
            "alertname": alert.rule,
            "severity": alert.severity,
            "group": alert.group,
            "service": "escalation-monitor",
        },
        "annotations": {"summary": title, "description": body, "escmon_alert_id": alert.id},
        "startsAt": alert.window_start.isoformat(),
    }
    if alert.status == "resolved":
        item["endsAt"] = alert.fired_at.isoformat()
    else:
        item["endsAt"] = (alert.fired_at + timedelta(hours=1)).isoformat()
    return item


@dataclass(frozen=True)
class Outcome:
    """How a delivery on one channel went."""

    channel: str
    ok: bool
    attempts: int
    seconds: float
    error: str = ""


async def deliver(
    channel: Channel,
    alert: Alert,
    title: str,
    body: str,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Outcome:
    """Send with up to ``retries`` retries, doubling the wait each time (capped at 60 s)."""
    started = time.perf_counter()
    error = ""
    for attempt in range(1, retries + 2):
        try:
            await channel.send(alert, title, body)
        except DeliveryError as exc:
            error = str(exc)
            logger.warning(
                "alert %s: %s attempt %d failed: %s", alert.id, channel.name, attempt, error
            )
            if attempt <= retries:
                await sleep(min(backoff * 2 ** (attempt - 1), 60.0))
            continue
        return Outcome(channel.name, True, attempt, time.perf_counter() - started)
    return Outcome(channel.name, False, retries + 1, time.perf_counter() - started, error)
