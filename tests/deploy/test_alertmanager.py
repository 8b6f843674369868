"""The Alertmanager channel against the real Alertmanager (Debian's prometheus-alertmanager).

The alerts are the rule engine's own, made the way the live notifier makes them (the seed
article tagged, ``step`` and then ``tick`` at wall-clock time, rendered by the templates) and
delivered by ``AlertmanagerChannel``. Alertmanager runs on free ports with the route shown in
docs/operations.md, sending to a local webhook receiver with ``send_resolved``.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from alerts.engine import group_keys, step, tick
from alerts.notify import AlertmanagerChannel
from alerts.rules import RuleSet
from alerts.templates import render
from escmon.models import Alert, Article, utcnow
from processors.tagger import Tagger
from tests.conftest import SEED_ARTICLE, free_port, wait_for
from tests.deploy.sandbox import INSTALL_TOOLS

# The route of docs/operations.md ("Alertmanager") without its pager sub-route, with shorter
# waits and the receiver pointed at this test.
ROUTE = """
route:
  receiver: default
  routes:
    - matchers: ['service="escalation-monitor"']
      receiver: escmon-oncall
      group_by: [alertname, group]
      group_wait: 0s          # the test's; 30s in the docs
      group_interval: 1s      # the test's; 5m in the docs
      repeat_interval: 4h
receivers:
  - name: default
  - name: escmon-oncall
    webhook_configs:
      - url: RECEIVER
        send_resolved: true
"""

# A windowed rule with `resolved: true`, its window short enough to pass during the test.
RULES = """
rules:
  - name: strike-reported
    type: threshold
    group_by: theater
    where: {signals: [strike]}
    metric: articles
    window: 3
    severities: {critical: 1}
    resolved: true
"""


def alertmanager_exe() -> str:
    exe = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if exe is None:
        subprocess.run([str(INSTALL_TOOLS)], check=True)
        exe = shutil.which("prometheus-alertmanager")
    if exe is None:
        pytest.fail("prometheus-alertmanager not found after deploy/install-test-tools.sh")
    return exe


class Receiver(BaseHTTPRequestHandler):
    """Alertmanager's webhook notifications, kept in order."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local webhook receiver for Alertmanager's notifications."""
    received: list[dict[str, Any]] = []
    handler = type("Handler", (Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


@pytest.fixture
def alertmanager(tmp_path: Path, receiver: tuple[str, list[dict[str, Any]]]) -> Iterator[str]:
    """The real Alertmanager on a free port, clustering off; its base URL."""
    config = tmp_path / "alertmanager.yml"
    config.write_text(ROUTE.replace("RECEIVER", receiver[0]))
    port = free_port()
    log = tmp_path / "alertmanager.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                alertmanager_exe(),
                f"--config.file={config}",
                f"--storage.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"alertmanager exited {proc.returncode}:\n{log.read_text()}")
        with urllib.request.urlopen(f"{base}/-/ready", timeout=2) as r:  # noqa: S310
            return r.status == 200

    try:
        wait_for(ready, 30, "alertmanager /-/ready")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def am_alerts(base: str) -> list[dict[str, Any]]:
    """GET /api/v2/alerts for escmon's alerts (active, silenced, inhibited and unprocessed)."""
    query = urllib.parse.urlencode({"filter": 'service="escalation-monitor"'})
    with urllib.request.urlopen(f"{base}/api/v2/alerts?{query}", timeout=5) as r:  # noqa: S310
        return list(json.loads(r.read()))


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def deliver(base: str, alert: Alert) -> None:
    title, body = render(alert)
    async with aiohttp.ClientSession() as session:
        await AlertmanagerChannel(base, session, timeout=5).send(alert, title, body)


@pytest.mark.slow
async def test_firing_then_resolved_alert_on_the_real_alertmanager(
    alertmanager: str, receiver: tuple[str, list[dict[str, Any]]]
):
    _, notifications = receiver
    rules = RuleSet.from_yaml(RULES)
    tagged = Tagger().tag(
        Article(
            id="seed",
            source="test",
            body=SEED_ARTICLE.read_text(encoding="utf-8"),
            fetched=utcnow(),
        )
    )
    [key] = group_keys(rules, tagged)
    result = step(rules, key, None, tagged, utcnow())
    [firing] = result.fired
    assert firing.status == "firing"
    await deliver(alertmanager, firing)

    labels = {
        "alertname": "strike-reported",
        "severity": "critical",
        "group": key,
        "service": "escalation-monitor",
    }
    [shown] = await asyncio.to_thread(wait_for, lambda: am_alerts(alertmanager), 20, "the alert")
    assert shown["labels"] == labels
    assert shown["status"]["state"] == "active"
    assert shown["annotations"]["escmon_alert_id"] == firing.id
    assert shown["annotations"]["summary"] == render(firing)[0]
    assert parse_time(shown["endsAt"]) > datetime.now(UTC)
    sent = await asyncio.to_thread(
        wait_for, lambda: notifications, 20, "Alertmanager's firing notification"
    )
    assert sent[0]["status"] == "firing"
    assert sent[0]["alerts"][0]["labels"] == labels

    # The window (3 s of event time) passes; the live notifier's tick then resolves the group.
    await asyncio.sleep(3.5)
    [resolved] = tick(rules, key, result.state, utcnow()).fired
    assert resolved.status == "resolved"
    await deliver(alertmanager, resolved)

    def ended() -> bool:
        return not any(a["labels"] == labels for a in am_alerts(alertmanager))

    # Alertmanager lists only alerts that have not ended: a resolved alert leaves the list.
    await asyncio.to_thread(wait_for, ended, 20, "the resolved alert to leave /api/v2/alerts")
    last = await asyncio.to_thread(
        wait_for,
        lambda: [n for n in notifications if n["status"] == "resolved"],
        20,
        "Alertmanager's resolved notification",
    )
    [gone] = last[0]["alerts"]
    assert gone["labels"] == labels
    assert gone["status"] == "resolved"
    assert parse_time(gone["endsAt"]) <= datetime.now(UTC)
