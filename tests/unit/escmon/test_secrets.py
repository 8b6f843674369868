"""No configured secret shows in `config show`, in the logs at any level, or in dead letters.

The config carries every kind of secret escmon knows: the SASL password, webhook URLs with
credentials, a token path and a token query, an Alertmanager URL with credentials and a path, and
apprise URLs (a Slack one whose every part is a token, a JSON one with a password and a path).
"""

from __future__ import annotations

import json
import logging
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from alerts.delivery import Deliverer
from escmon import logs
from escmon.cli import main
from escmon.metrics import AlertMetrics
from escmon.models import Alert, DeadLetter
from escmon.secrets import MASK, mask_scheme_only, mask_url
from escmon.settings import Settings

# The distinctive part of each secret: none of these may appear anywhere.
SECRETS = [
    "hunter2-sasl-pw",
    "w3bh00k-pass",
    "T01234567",
    "B07654321",
    "XyZsecretXyZsecret12",
    "t0ken-abc123",
    "am-p4ss",
    "am-path-s3cret",
    "TokenA1234",
    "TokenB5678",
    "TokenC9012XYZabcdefgh",
    "js0n-pass",
    "js0n-path-s3cret",
]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _secret_config(hook_port: int, closed: int) -> dict:
    return {
        "kafka": {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "PLAIN",
            "sasl_username": "escmon",
            "sasl_password": "hunter2-sasl-pw",
        },
        "alerts": {
            "console": False,
            "webhooks": [
                f"http://hookuser:w3bh00k-pass@127.0.0.1:{hook_port}"
                "/services/T01234567/B07654321/XyZsecretXyZsecret12",
                f"http://127.0.0.1:{hook_port}/hook?token=t0ken-abc123",
            ],
            "alertmanager": f"http://am-user:am-p4ss@127.0.0.1:{closed}/am-path-s3cret",
            "apprise": [
                "slack://TokenA1234/TokenB5678/TokenC9012XYZabcdefgh",
                f"json://jsonuser:js0n-pass@127.0.0.1:{closed}/js0n-path-s3cret",
            ],
            "retries": 1,
            "retry_backoff": 0.01,
            "timeout": 2,
        },
    }


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_config_show_masks_every_secret_but_keeps_scheme_and_host(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(json.dumps(_secret_config(8080, 9093)))
    assert main(["--config", str(cfg), "config", "show"]) == 0
    out = capsys.readouterr().out
    assert _leaks(out) == []
    shown = json.loads(out)
    assert shown["kafka"]["sasl_password"] == MASK
    assert shown["alerts"]["webhooks"] == [
        f"http://127.0.0.1:8080/{MASK}",
        f"http://127.0.0.1:8080/{MASK}",
    ]
    assert shown["alerts"]["alertmanager"] == f"http://127.0.0.1:9093/{MASK}"
    assert shown["alerts"]["apprise"] == [f"slack://{MASK}", f"json://{MASK}"]


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("https://u:p@hooks.example.org/services/T0/B0/x?token=1", f"https://hooks.example.org/{MASK}"),
        ("http://[::1]:9093/", f"http://[::1]:9093/{MASK}"),
        ("hooks.example.org/no/scheme", MASK),
        ("http://host:notaport/x", MASK),
    ],
)
def test_mask_url_keeps_only_scheme_host_and_port(url, masked):
    assert mask_url(url) == masked


def test_mask_scheme_only_keeps_the_scheme():
    assert mask_scheme_only("slack://TokenA/TokenB/TokenC") == f"slack://{MASK}"
    assert mask_scheme_only("no scheme at all") == MASK


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """logs.configure replaces the root handler; put the test runner's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {n: logging.getLogger(n).level for n in ("apprise", "aiohttp", "kafka", "aiokafka")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, lvl in levels.items():
        logging.getLogger(name).setLevel(lvl)


@pytest.fixture
async def failing_hook() -> Iterator[int]:
    """A local HTTP server that answers 500 to every POST: the webhooks are really called."""

    async def hook(request: web.Request) -> web.Response:
        return web.Response(status=500)

    app = web.Application()
    app.router.add_post("/{tail:.*}", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    await runner.cleanup()


async def test_no_secret_in_debug_logs_or_dead_letters_of_failed_deliveries(
    tmp_path, capsys, restore_logging, failing_hook
):
    settings = Settings(state_dir=tmp_path, **_secret_config(failing_hook, _closed_port()))
    logs.configure("DEBUG", process="escmon-notifier", secrets=settings.secrets())
    # The libraries at their most talkative: apprise logs the URLs it posts to at DEBUG.
    for name in ("apprise", "aiohttp"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    webhook = settings.alerts.webhooks[0]
    # As a library that logs a URL itself would, plain and in a traceback.
    logging.getLogger("some.library").debug("POST %s", webhook)
    try:
        msg = f"cannot reach {settings.alerts.alertmanager}"
        raise ConnectionError(msg)
    except ConnectionError:
        logging.getLogger("some.library").exception("delivery failed")

    t0 = datetime(2026, 11, 24, tzinfo=UTC)
    alert = Alert(
        id="al-secret", rule="deadly-strike", severity="critical", group="theater:Middle East",
        window_start=t0, window_end=t0,
    )
    deliverer = Deliverer(settings, AlertMetrics.create(CollectorRegistry()))
    try:
        failures = await deliverer.deliver(alert)
    finally:
        await deliverer.close()
    sys.stderr.flush()
    err = capsys.readouterr().err

    # Every channel failed, so each left a dead-letter reason: the test exercised them all.
    assert len(failures) == 5, failures
    assert "JSON POST URL" in err, "apprise's own DEBUG line about the URL was logged"
    assert "Traceback" in err and "ConnectionError" in err
    assert MASK in err
    assert _leaks(err) == [], err
    # What the notifier puts on the dead-letter topic for each failure.
    for reason in failures:
        letter = DeadLetter.of(stage="alerts", reason=reason, payload=alert.to_bytes(),
                               topic="alerts", partition=0, offset=7)
        assert _leaks(letter.to_bytes().decode()) == [], reason


@pytest.mark.parametrize("json_format", [False, True])
def test_a_secret_in_a_message_or_traceback_is_redacted_in_plain_and_json_logs(
    capsys, restore_logging, json_format
):
    settings = Settings(**_secret_config(8080, 9093))
    logs.configure("DEBUG", json_format=json_format, secrets=settings.secrets())
    url = settings.alerts.apprise[1].get_secret_value()
    try:
        msg = f"refused: {url}"
        raise OSError(msg)
    except OSError:
        logging.getLogger("a.library").exception("sending to %s", url)
    err = capsys.readouterr().err
    assert "OSError: refused: " + MASK in err.replace("\\n", "\n")
    assert _leaks(err) == [], err
