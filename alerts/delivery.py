"""Fan an alert out to the configured channels, with retries, metrics and silences."""

from __future__ import annotations

import logging
import time

import aiohttp

from alerts.notify import (
    AlertmanagerChannel,
    AppriseChannel,
    Channel,
    ConsoleChannel,
    WebhookChannel,
    deliver,
)
from alerts.silencestore import SilenceStore
from alerts.templates import render
from escmon.metrics import AlertMetrics
from escmon.models import Alert
from escmon.settings import Settings

logger = logging.getLogger(__name__)


class Deliverer:
    """Builds the channels once and delivers each alert to all of them."""

    def __init__(self, settings: Settings, metrics: AlertMetrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.session: aiohttp.ClientSession | None = None
        self._channels: list[Channel] | None = None
        self.silences = SilenceStore(settings.state_dir / "silences.json")

    def channels(self) -> list[Channel]:
        """The configured channels (built on first use, inside the event loop)."""
        if self._channels is None:
            a = self.settings.alerts
            chans: list[Channel] = []
            if a.console:
                chans.append(ConsoleChannel())
            if self.session is None:
                self.session = aiohttp.ClientSession()
            chans.extend(WebhookChannel(url, self.session) for url in a.webhooks)
            if a.apprise:
                chans.append(AppriseChannel([u.get_secret_value() for u in a.apprise]))
            if a.alertmanager:
                chans.append(AlertmanagerChannel(a.alertmanager, self.session))
            self._channels = chans
        return self._channels

    async def deliver(self, alert: Alert) -> list[str]:
        """Deliver ``alert``; return one dead-letter reason per channel that never took it."""
        silence = self.silences.matching(alert)
        if silence is not None:
            logger.info("alert %s silenced until %s", alert.id, silence.until.isoformat())
            self.metrics.notifications.labels("all", "silenced").inc()
            return []
        title, body = render(alert, self.settings.alerts.template)
        failures: list[str] = []
        a = self.settings.alerts
        for channel in self.channels():
            outcome = await deliver(
                channel, alert, title, body, retries=a.retries, backoff=a.retry_backoff
            )
            self.metrics.notifications.labels(channel.name, "ok" if outcome.ok else "failed").inc()
            self.metrics.delivery_seconds.labels(channel.name).observe(outcome.seconds)
            if not outcome.ok:
                failures.append(
                    f"delivery failed: {channel.name} after {outcome.attempts} attempts: "
                    f"{outcome.error}"
                )
        if len(failures) < len(self.channels()) and alert.first_fetched is not None:
            # Once per alert, at its first successful delivery, whatever the number of channels.
            lag = time.time() - alert.first_fetched.timestamp()
            self.metrics.end_to_end_seconds.observe(max(lag, 0.0))
        return failures

    async def close(self) -> None:
        """Close the HTTP session."""
        if self.session is not None:
            await self.session.close()
