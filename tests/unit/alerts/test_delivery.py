"""The Deliverer against a real local HTTP receiver: silences, per-channel dedupe, dead letters,
metrics read back from a private registry."""

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from alerts.delivery import Deliverer
from alerts.silencecommand import silences_path
from alerts.silencestore import SilenceStore
from escmon.metrics import AlertMetrics
from escmon.models import Alert, utcnow
from escmon.settings import Settings

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _alert(**kw: object) -> Alert:
    base: dict[str, object] = dict(
        id="al1", rule="deadly-strike", severity="critical", group="theater:Middle East",
        window_start=T0, window_end=T0, first_fetched=utcnow() - timedelta(seconds=3),
    )
    base.update(kw)
    return Alert(**base)  # type: ignore[arg-type]


@pytest.fixture
async def receiver():
    """A local HTTP server recording the alert ids POSTed to it."""
    state: dict = {"ids": [], "fail": 0}

    async def hook(request: web.Request) -> web.Response:
        if state["fail"] > 0:
            state["fail"] -= 1
            return web.Response(status=500)
        state["ids"].append(request.headers["X-Escmon-Alert-Id"])
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state["url"] = f"http://127.0.0.1:{port}/hook"
    yield state
    await runner.cleanup()


def _deliverer(tmp_path, urls: list[str], **alerts: object) -> tuple[Deliverer, CollectorRegistry]:
    settings = Settings(
        state_dir=tmp_path,
        alerts={"console": False, "webhooks": urls, "retries": 1, "retry_backoff": 0.01,
                "timeout": 2, **alerts},
    )
    registry = CollectorRegistry()
    return Deliverer(settings, AlertMetrics.create(registry)), registry


async def test_delivers_marks_each_channel_and_skips_marked_ones(tmp_path, receiver):
    d, registry = _deliverer(tmp_path, [receiver["url"], receiver["url"]])
    marked: list[str] = []
    assert await d.deliver(_alert(), mark=marked.append) == []
    assert receiver["ids"] == ["al1", "al1"], "two webhooks, each once"
    assert marked == ["webhook#0", "webhook#1"]
    # A replay after a crash that happened after the first channel: only the second gets it.
    receiver["ids"].clear()
    await d.deliver(_alert(), already={"webhook#0"})
    assert receiver["ids"] == ["al1"]
    assert registry.get_sample_value(
        "escmon_notifications_total", {"channel": "webhook", "outcome": "ok"}) == 3
    assert registry.get_sample_value("escmon_ingest_to_alert_seconds_count") == 1
    await d.close()


async def test_channel_down_after_retries_gives_a_dead_letter_reason(tmp_path, receiver):
    d, registry = _deliverer(tmp_path, ["http://127.0.0.1:9/hook", receiver["url"]])
    marked: list[str] = []
    reasons = await d.deliver(_alert(), mark=marked.append)
    assert len(reasons) == 1 and reasons[0].startswith("delivery failed: webhook#0 after 2")
    assert receiver["ids"] == ["al1"], "the working channel still got it"
    assert marked == ["webhook#0", "webhook#1"], "dead-lettered counts as handled"
    assert registry.get_sample_value(
        "escmon_alerts_deadlettered_total", {"channel": "webhook"}) == 1
    await d.close()


async def test_receiver_failing_then_recovering_gets_it_once(tmp_path, receiver):
    d, _ = _deliverer(tmp_path, [receiver["url"]], retries=3)
    receiver["fail"] = 2
    assert await d.deliver(_alert()) == []
    assert receiver["ids"] == ["al1"]
    await d.close()


async def test_silenced_alert_is_not_sent_and_is_counted(tmp_path, receiver):
    d, registry = _deliverer(tmp_path, [receiver["url"]])
    SilenceStore(silences_path(tmp_path)).add(
        group="theater:Middle East", until=utcnow() + timedelta(hours=1))
    marked: list[str] = []
    assert await d.deliver(_alert(), mark=marked.append) == []
    assert receiver["ids"] == []
    assert marked == ["webhook#0"]
    assert registry.get_sample_value(
        "escmon_alerts_suppressed_total", {"rule": "deadly-strike", "reason": "silenced"}) == 1
    await d.deliver(_alert(id="al2", group="theater:Sahel"))
    assert receiver["ids"] == ["al2"], "other groups are not muted"
    await d.close()
