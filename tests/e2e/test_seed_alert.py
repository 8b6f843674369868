"""End to end: the seed article dropped in the inbox ends as an alert at a local webhook.

Producer, worker and notifier run as separate ``escmon`` processes against the real broker; the
webhook receiver is a real HTTP server; every stage's /metrics is scraped over HTTP.
"""

import json
import shutil
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from escmon.models import Alert
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import SEED_ARTICLE, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


class Receiver(ThreadingHTTPServer):
    """Collects the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                outer.bodies.append(self.rfile.read(length))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


def _metric(port: int, name: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    total = 0.0
    found = False
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            head, _, value = line.rpartition(" ")
            if head == name or head.startswith(name + "{"):
                total += float(value)
                found = True
    if not found:
        msg = f"{name} not on :{port}/metrics"
        raise AssertionError(msg)
    return total


def test_seed_article_file_becomes_an_alert_at_the_webhook(make_config, escmon_proc, tmp_path):
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    path, cfg = make_config(alerts={"webhooks": [receiver.url]})
    settings = load_settings(path)
    ensure_topics(settings)
    ports = cfg["metrics"]
    procs = [
        escmon_proc("--config", str(path), stage) for stage in ("worker", "notifier", "producer")
    ]
    shutil.copy(SEED_ARTICLE, tmp_path / "inbox" / SEED_ARTICLE.name)

    wait_for(lambda: receiver.bodies, 120, "an alert at the webhook")
    alerts = [Alert.from_bytes(b) for b in receiver.bodies]
    first = alerts[0]
    assert first.status == "firing"
    # The shipped rules read events: the strikes' own toll (Iraq's 16), not the article's 19.
    assert first.figures.get("killed") == 16
    assert first.evidence, "the alert carries evidence sentences"
    assert any("Iran" in e.sentence or "strike" in e.sentence.lower() for e in first.evidence)
    assert (tmp_path / "inbox" / "done" / SEED_ARTICLE.name).exists()

    published = wait_for(
        lambda: _metric(ports["producer_port"], "escmon_producer_articles_published_total"),
        30,
        "producer counter",
    )
    tagged = wait_for(
        lambda: _metric(ports["worker_port"], "escmon_processor_articles_tagged_total"),
        30,
        "worker counter",
    )
    delivered = wait_for(
        lambda: _metric(ports["notifier_port"], "escmon_notifications_total"),
        30,
        "notifier counter",
    )
    fired = _metric(ports["notifier_port"], "escmon_alerts_fired_total")
    assert published == 1
    assert tagged == 1
    assert fired >= 1
    assert delivered >= 1
    assert _metric(ports["notifier_port"], "escmon_ingest_to_alert_seconds_count") >= 1
    console = procs[1].output()
    assert first.rule in console, "the console channel printed the alert"
    receiver.shutdown()
    ids = [a.id for a in alerts]
    assert len(ids) == len(set(ids)), f"an alert was delivered twice: {ids}"
    json.dumps(ids)
