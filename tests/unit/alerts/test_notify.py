"""Channels against real local receivers (aiohttp test servers), and the retry policy."""

import io
import json
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web

from alerts.notify import (
    AlertmanagerChannel,
    AppriseChannel,
    ConsoleChannel,
    DeliveryError,
    WebhookChannel,
    alertmanager_payload,
    deliver,
)
from escmon.models import Alert

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _alert(**kw: object) -> Alert:
    base: dict[str, object] = dict(
        id="al1",
        rule="deadly-strike",
        severity="critical",
        group="theater:Middle East",
        window_start=T0,
        window_end=T0,
        figures={"killed": 19.0},
    )
    base.update(kw)
    return Alert(**base)  # type: ignore[arg-type]


@pytest.fixture
async def receiver():
    """A local HTTP server recording POSTs; ``fail`` answers 500 that many times first."""
    state = {"bodies": [], "headers": [], "fail": 0}

    async def hook(request: web.Request) -> web.Response:
        if state["fail"] > 0:
            state["fail"] -= 1
            return web.Response(status=500)
        state["bodies"].append(await request.read())
        state["headers"].append(dict(request.headers))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    app.router.add_post("/api/v2/alerts", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state["url"] = f"http://127.0.0.1:{port}"
    yield state
    await runner.cleanup()


async def test_webhook_posts_alert_json_with_id_header(receiver):
    async with aiohttp.ClientSession() as s:
        await WebhookChannel(receiver["url"] + "/hook", s).send(_alert(), "t", "b")
    body = json.loads(receiver["bodies"][0])
    assert body["schema"] == "alert/1"
    assert body["id"] == "al1"
    assert receiver["headers"][0]["X-Escmon-Alert-Id"] == "al1"


async def test_webhook_retries_until_the_receiver_recovers(receiver):
    receiver["fail"] = 2
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    async with aiohttp.ClientSession() as s:
        outcome = await deliver(
            WebhookChannel(receiver["url"] + "/hook", s),
            _alert(),
            "t",
            "b",
            retries=5,
            backoff=0.5,
            sleep=no_sleep,
        )
    assert outcome.ok
    assert outcome.attempts == 3
    assert waits == [0.5, 1.0]
    assert len(receiver["bodies"]) == 1, "delivered exactly once"


async def test_unreachable_webhook_gives_up_after_retries_with_reason():
    async def no_sleep(seconds: float) -> None:
        return None

    async with aiohttp.ClientSession() as s:
        # Port 9 (discard) on loopback: nothing listens there.
        outcome = await deliver(
            WebhookChannel("http://127.0.0.1:9/hook", s, timeout=2),
            _alert(),
            "t",
            "b",
            retries=2,
            backoff=0.1,
            sleep=no_sleep,
        )
    assert not outcome.ok
    assert outcome.attempts == 3
    assert "unreachable" in outcome.error


async def test_alertmanager_receives_v2_payload(receiver):
    async with aiohttp.ClientSession() as s:
        await AlertmanagerChannel(receiver["url"], s).send(_alert(), "title", "body")
    [item] = json.loads(receiver["bodies"][0])
    assert item["labels"]["alertname"] == "deadly-strike"
    assert item["labels"]["severity"] == "critical"
    assert item["annotations"]["summary"] == "title"


def test_resolved_alert_ends_at_its_firing_time():
    item = alertmanager_payload(_alert(status="resolved", fired_at=T0), "t", "b")
    assert item["endsAt"] == T0.isoformat()


async def test_console_prints_title_and_body():
    out = io.StringIO()
    await ConsoleChannel(out).send(_alert(), "CRITICAL deadly-strike", "killed 19")
    assert "CRITICAL deadly-strike" in out.getvalue()
    assert "killed 19" in out.getvalue()


async def test_apprise_json_url_delivers_to_local_receiver(receiver):
    # apprise's generic json:// plugin posts to our local HTTP server: a real apprise delivery.
    url = receiver["url"].replace("http://", "json://") + "/hook"
    await AppriseChannel([url]).send(_alert(), "Escalation", "19 killed")
    body = json.loads(receiver["bodies"][0])
    assert body["title"] == "Escalation"
    assert body["message"] == "19 killed"


async def test_apprise_failure_raises_delivery_error():
    with pytest.raises(DeliveryError):
        await AppriseChannel(["json://127.0.0.1:9/hook"]).send(_alert(), "t", "b")


def test_apprise_rejects_unusable_url_without_echoing_secrets():
    with pytest.raises(ValueError, match="nosuchscheme://") as info:
        AppriseChannel(["nosuchscheme://secret-token@host"])
    assert "secret-token" not in str(info.value)
