"""The alert stage as an ``escmon notifier`` process on the real broker, with real receivers.

A threaded HTTP server stands for the JSON webhook and an aiosmtpd server for email (apprise
``mailto://``); tagged articles are produced to the tagged topic with kafka-python; alerts are
read back from the alerts topic and /metrics is scraped over HTTP.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from kafka import KafkaProducer

from escmon.models import Alert, DeadLetter, Score, Summary, TaggedArticle, utcnow
from escmon.settings import load_settings
from escmon.topics import ensure_topics
from tests.conftest import REPO, SEED_ARTICLE, free_port, wait_for
from tests.integration.kafka_util import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.slow]


class Receiver(ThreadingHTTPServer):
    """A webhook receiver: keeps the ids of the alerts it accepted (answered 2xx).

    ``hang`` requests are held past the client's timeout and ``fail`` requests answered 500
    first, as a flaky endpoint would; neither counts as received.
    """

    def __init__(self, port: int = 0, *, fail: int = 0, hang: int = 0, hang_s: float = 3.0):
        self.ids: list[str] = []
        self.bodies: list[bytes] = []
        self.fail, self.hang, self.hang_s = fail, hang, hang_s
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests += 1
                if outer.hang > 0:
                    outer.hang -= 1
                    time.sleep(outer.hang_s)
                    return  # the client gave up; nothing was accepted
                if outer.fail > 0:
                    outer.fail -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                outer.ids.append(self.headers.get("X-Escmon-Alert-Id", ""))
                outer.bodies.append(body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        super().__init__(("127.0.0.1", port), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Mailbox:
    """A real SMTP server (aiosmtpd) keeping the messages it received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                outer.messages.append(message_from_bytes(envelope.content))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def apprise_url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=escmon@example.org&to=ops@example.org"

    def stop(self) -> None:
        self.controller.stop()


def metric(port: int, name: str, labels: dict[str, str] | None = None) -> float | None:
    """A sample's value from a process's /metrics (None when absent)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    want = ",".join(f'{k}="{v}"' for k, v in sorted((labels or {}).items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        if head.partition("{")[0] != name:
            continue
        got = head.partition("{")[2].rstrip("}")
        if ",".join(sorted(got.split(","))) == want or (not want and not got):
            return float(value)
    return None


def tagged(aid: str, seconds_ago: float, **summary: Any) -> TaggedArticle:
    """A tagged article that happened ``seconds_ago`` (its score in ``summary['score']``)."""
    score = float(summary.pop("score", 0.0))
    when = utcnow() - timedelta(seconds=seconds_ago)
    return TaggedArticle(
        id=aid, source=summary.pop("source", "wire"), url=f"https://news.example.org/{aid}",
        published=when, fetched=when, summary=Summary(**summary), theater="Middle East",
        score=Score(total=score),
    )


def produce(bootstrap: str, topic: str, articles: list[TaggedArticle]) -> None:
    """Publish in order on one partition (the order a replay sorts them in)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for a in articles:
        producer.send(topic, key=a.id.encode(), value=a.to_bytes(), partition=0)
    producer.flush()
    producer.close()


def replay_alerts(rules: Path, articles_file: Path) -> list[Alert]:
    """What ``escmon rules test`` says these articles fire."""
    done = subprocess.run(
        [sys.executable, "-m", "escmon.cli", "rules", "test", str(rules), str(articles_file)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    )
    return [Alert.from_bytes(line) for line in done.stdout.splitlines()]


def signature(alerts: list[Alert]) -> list[tuple[str, str, str, str, str]]:
    return sorted((a.rule, a.group, a.severity, a.status, a.id) for a in alerts)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    yield box
    box.stop()


@pytest.fixture
def notifier(make_config, escmon_proc) -> Callable[..., tuple[Any, dict[str, Any], Any]]:
    """Config, topics, then ``escmon notifier``; gives (settings, config dict, process)."""

    def start(**alerts: Any) -> tuple[Any, dict[str, Any], Any]:
        path, cfg = make_config(alerts=alerts)
        settings = load_settings(path)
        ensure_topics(settings)
        proc = escmon_proc("--config", str(path), "notifier")
        cfg["_path"] = path
        return settings, cfg, proc

    return start


def test_seed_alert_reaches_webhook_and_email_once_as_the_backtest_says(
    notifier, mailbox, kafka_bootstrap, tmp_path
):
    # The seed article as the current tagger sees it; the backtest says what must fire.
    done = subprocess.run(
        [sys.executable, "-m", "escmon.cli", "tag", str(SEED_ARTICLE)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )
    seed = TaggedArticle.from_bytes(done.stdout)
    seed_file = tmp_path / "seed.jsonl"
    seed_file.write_text(done.stdout)
    article_rules = REPO / "seeds" / "rules-articles.yaml"
    expected = replay_alerts(article_rules, seed_file)
    assert expected, "the article rules fire on the seed article"

    hook = Receiver()
    settings, cfg, proc = notifier(
        rules=str(article_rules), webhooks=[hook.url], apprise=[mailbox.apprise_url]
    )
    produce(kafka_bootstrap, settings.topics.tagged, [seed])

    wait_for(lambda: len(hook.ids) >= len(expected) and len(mailbox.messages) >= len(expected),
             90, "the alerts at the webhook and in the mailbox")
    time.sleep(2)  # a duplicate would come now
    assert sorted(hook.ids) == sorted(a.id for a in expected), "each alert once, as replayed"
    assert len(mailbox.messages) == len(expected)
    first = expected[0]
    mail = next(m for m in mailbox.messages if first.rule in m["Subject"])
    assert first.group in mail["Subject"]
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    assert f"killed {first.figures['killed']:g}" in body
    assert first.evidence[0].sentence[:40] in " ".join(body.split())
    received = Alert.from_bytes(hook.bodies[0])
    assert received.evidence and received.figures == next(
        a for a in expected if a.id == received.id).figures

    live = [Alert.from_bytes(r.value) for r in read_topic(
        kafka_bootstrap, settings.topics.alerts, expect=len(expected), timeout=30)]
    assert signature(live) == signature(expected)

    port = cfg["metrics"]["notifier_port"]
    group = f"theater:{seed.theater}"
    wait_for(lambda: metric(port, "escmon_notifications_total",
                            {"channel": "apprise", "outcome": "ok"}) == len(expected),
             20, "apprise counted")
    assert metric(port, "escmon_alerts_fired_total",
                  {"rule": first.rule, "severity": first.severity}) == 1
    assert metric(port, "escmon_notifications_total",
                  {"channel": "webhook", "outcome": "ok"}) == len(expected)
    assert metric(port, "escmon_escalation_score", {"group": group}) == seed.score.total
    assert metric(port, "escmon_killed_reported", {"group": group}) == (seed.summary.killed or 0)
    assert metric(port, "escmon_ingest_to_alert_seconds_count") == len(expected)
    assert "mailto" not in proc.output(), "the apprise URL (a secret) is not logged"


def test_flaky_receivers_each_get_every_alert_once_and_a_dead_one_is_dead_lettered(
    notifier, kafka_bootstrap, tmp_path
):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - {name: deadly, type: any, where: {signals: [strike]}, metric: killed,"
        " severities: {warning: 1}, realert: 0}\n"
    )
    flaky = Receiver(fail=2, hang=1, hang_s=2.5)  # times out once, then 500 twice, then ok
    late_port = free_port()  # a receiver that is down at first, up a little later
    settings, cfg, proc = notifier(
        rules=str(rules), console=False, webhooks=[flaky.url, f"http://127.0.0.1:{late_port}/hook",
                                                   "http://127.0.0.1:9/hook"],
        retries=5, retry_backoff=0.4, timeout=1.0,
    )
    articles = [tagged(f"a{i}", 60 - i, strike=True, killed=i + 1) for i in range(3)]
    produce(kafka_bootstrap, settings.topics.tagged, articles)

    read_topic(kafka_bootstrap, settings.topics.alerts, expect=1, timeout=90)
    time.sleep(1.0)
    late = Receiver(late_port)
    wait_for(lambda: len(late.ids) >= 3 and len(flaky.ids) >= 3, 120, "all alerts at both")
    dead = read_topic(kafka_bootstrap, settings.topics.deadletter, expect=3, timeout=60)
    time.sleep(1.0)
    ids = sorted({Alert.from_bytes(r.value).id for r in read_topic(
        kafka_bootstrap, settings.topics.alerts, expect=3, timeout=30)})
    assert len(ids) == 3
    assert sorted(flaky.ids) == ids, "timeout and 500s retried, each alert accepted once"
    assert sorted(late.ids) == ids, "down at first, then each alert once"
    assert flaky.requests >= 6
    letters = [DeadLetter.from_bytes(r.value) for r in dead]
    assert len(letters) == 3
    assert all(x.stage == "alerts" and "webhook#2 after 6 attempts" in x.reason for x in letters)
    assert sorted(Alert.from_bytes(x.payload).id for x in letters) == ids
    port = cfg["metrics"]["notifier_port"]
    assert metric(port, "escmon_alerts_deadlettered_total", {"channel": "webhook"}) == 3
    assert metric(port, "escmon_notifications_total",
                  {"channel": "webhook", "outcome": "failed"}) == 3


EQUIV_RULES = """
rules:
  - {name: deadly, type: any, where: {signals: [strike], min_killed: 1}, metric: killed,
     severities: {warning: 1, critical: 10}, realert: 600}
  - {name: score, type: threshold, metric: score, window: 3600,
     severities: {warning: 10, critical: 25}}
  - {name: sources, type: threshold, where: {signals: [strike]}, metric: sources, window: 3600,
     severities: {warning: 3}}
  - {name: strike-then-pledge, type: sequence, first: {signals: [strike]},
     then: {signals: [retaliation_pledge]}, within: 3600, severity: warning}
inhibit: {source: critical, target: [warning]}
"""


def test_backtest_gives_the_same_alerts_as_the_live_pipeline(notifier, kafka_bootstrap, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(EQUIV_RULES)
    articles = [
        tagged("s1", 300, strike=True, score=4, source="reuters"),
        tagged("k1", 290, strike=True, casualties=True, killed=3, score=5, source="ap"),
        tagged("c1", 280, threat=True, score=2, source="afp"),
        tagged("p1", 270, retaliation_pledge=True, score=4, source="bbc"),
        tagged("k2", 260, strike=True, casualties=True, killed=4, score=6, source="afp"),
        tagged("k3", 250, strike=True, casualties=True, killed=14, score=9, source="dw"),
        tagged("k2", 260, strike=True, casualties=True, killed=4, score=6, source="afp"),  # again
        tagged("x1", 240, deescalation=True, score=-2, source="ap"),
    ]
    data = tmp_path / "tagged.jsonl"
    data.write_text("".join(a.to_bytes().decode() + "\n" for a in articles))
    expected = replay_alerts(rules, data)
    assert len({a.rule for a in expected}) >= 3, [(a.rule, a.severity) for a in expected]

    settings, cfg, proc = notifier(rules=str(rules), console=False)
    produce(kafka_bootstrap, settings.topics.tagged, articles)
    records = read_topic(kafka_bootstrap, settings.topics.alerts, expect=len(expected), timeout=90)
    live = [Alert.from_bytes(r.value) for r in records]
    assert signature(live) == signature(expected), proc.output()[-3000:]
    assert json.dumps([a.id for a in live])
