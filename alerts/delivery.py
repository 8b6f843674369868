"""Fan an alert out to the configured channels, with retries, metrics and silences.

Each channel has a stable key (``webhook#0``, ``apprise#1`` ...). The caller passes the keys an
alert was already handled on (from the ``delivered`` table) and a ``mark`` callback that records
a key as soon as that channel took the alert, so an alert replayed after a crash is not sent to
that channel again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection

import aiohttp

from alerts.notify import (
    AlertmanagerChannel,
    AppriseChannel,
    Channel,
    ConsoleChannel,
    WebhookChannel,
    deliver,
)
from alerts.silencecommand import silences_path
from alerts.silencestore import SilenceError, SilenceStore
from alerts.templates import TemplateError, render
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
        self._own_session = False
        self._channels: list[tuple[str, Channel]] | None = None
        self.silences = SilenceStore(silences_path(settings.state_dir))

    def channels(self) -> list[tuple[str, Channel]]:
        """``(key, channel)`` for each configured channel (built on first use, in the loop)."""
        if self._channels is None:
            a = self.settings.alerts
            chans: list[Channel] = []
            if a.console:
                chans.append(ConsoleChannel())
            if self.session is None:
                self.session = aiohttp.ClientSession()
                self._own_session = True
            chans.extend(WebhookChannel(url, self.session, a.timeout) for url in a.webhooks)
            # One apprise object per URL: a retry then repeats only the service that failed.
            chans.extend(AppriseChannel([u.get_secret_value()]) for u in a.apprise)
            if a.alertmanager:
                chans.append(AlertmanagerChannel(a.alertmanager, self.session, a.timeout))
            counts: dict[str, int] = {}
            keyed: list[tuple[str, Channel]] = []
            for chan in chans:
                n = counts.get(chan.name, 0)
                counts[chan.name] = n + 1
                keyed.append((f"{chan.name}#{n}", chan))
            self._channels = keyed
        return self._channels

    def _silenced(self, alert: Alert) -> bool:
        try:
            silence = self.silences.matching(alert)
        except SilenceError as exc:
            # A broken silences file must not stop alerts: deliver, and say why loudly.
            logger.error("silences ignored: %s", exc)
            return False
        if silence is None:
            return False
        logger.info(
            "alert %s (%s, %s) silenced until %s by %s",
            alert.id, alert.rule, alert.group, silence.until.isoformat(), silence.id,
        )
        self.metrics.notifications.labels("all", "silenced").inc()
        self.metrics.suppressed.labels(alert.rule, "silenced").inc()
        return True

    async def deliver(
        self,
        alert: Alert,
        already: Collection[str] = (),
        mark: Callable[[str], None] | None = None,
    ) -> list[str]:
        """Deliver ``alert``; return one dead-letter reason per channel that never took it."""
        mark = mark or (lambda key: None)
        channels = [(k, c) for k, c in self.channels() if k not in already]
        if not channels:
            if already:
                logger.info("alert %s already delivered; skipped", alert.id)
                self.metrics.notifications.labels("all", "duplicate").inc()
            return []
        if self._silenced(alert):
            for key, _ in channels:
                mark(key)
            return []
        a = self.settings.alerts
        try:
            title, body = render(alert, a.template, a.title_template)
        except TemplateError as exc:
            logger.error("%s; using the built-in template", exc)
            title, body = render(alert)
        failures: list[str] = []
        delivered = 0
        for key, channel in channels:
            outcome = await deliver(
                channel, alert, title, body, retries=a.retries, backoff=a.retry_backoff
            )
            self.metrics.notifications.labels(channel.name, "ok" if outcome.ok else "failed").inc()
            self.metrics.delivery_seconds.labels(channel.name).observe(outcome.seconds)
            if outcome.ok:
                delivered += 1
            else:
                self.metrics.deadlettered_alerts.labels(channel.name).inc()
                failures.append(
                    f"delivery failed: {key} after {outcome.attempts} attempts: {outcome.error}"
                )
            # Dead-lettered counts as handled too: a replay must not dead-letter it again.
            mark(key)
        if delivered and not already and alert.first_fetched is not None:
            # Once per alert, at its first delivery, whatever the number of channels.
            lag = time.time() - alert.first_fetched.timestamp()
            self.metrics.end_to_end_seconds.observe(max(lag, 0.0))
        return failures

    async def close(self) -> None:
        """Close the HTTP session if this deliverer opened it."""
        if self.session is not None and self._own_session:
            await self.session.close()
