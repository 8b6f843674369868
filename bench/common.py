"""What the benchmarks share: a throw-away broker, configs, processes, data and results, and the
timed replay of the alerts engine benchmarks.

Benchmarks run real parts only: the local Kafka broker from ``escmon.broker`` on free ports under a
temporary folder, ``escmon worker``/``escmon notifier`` as processes, a real HTTP webhook receiver.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from alerts.replay import Record, Replay
from alerts.rules import RuleSet
from escmon.broker import LocalBroker
from escmon.models import Article, utcnow
from escmon.settings import Settings, load_settings
from escmon.topics import ensure_topics

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
SEED_ARTICLE = REPO / "seeds" / "us-strikes-iran-linked-forces.txt"
# The labelled development set lives outside the repository; it is read in place, never copied.
DEV_SET = Path(os.environ.get("ESCMON_EVAL_DIR", REPO.parent / "shared" / "eval")) / "dev.jsonl"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def local_broker(folder: Path) -> Iterator[str]:
    """A single-node broker on free ports under ``folder``; yields its bootstrap address."""
    broker = LocalBroker(folder, port=free_port(), controller_port=free_port())
    broker.start(timeout=180)
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


def write_config(folder: Path, bootstrap: str, **sections: dict[str, Any]) -> tuple[Path, Settings]:
    """A config on ``bootstrap``: unique topics and app ids, free metric ports; topics created."""
    tag = uuid.uuid4().hex[:6]
    config: dict[str, Any] = {
        "state_dir": str(folder / f"state-{tag}"),
        "kafka": {
            "bootstrap": bootstrap,
            "local_broker": False,
            "partitions": 4,
            "app_prefix": f"bench{tag}",
        },
        "topics": {
            "raw": f"raw-{tag}",
            "tagged": f"tagged-{tag}",
            "by_country": f"bycountry-{tag}",
            "events": f"events-{tag}",
            "alerts": f"alerts-{tag}",
            "deadletter": f"dead-{tag}",
        },
        "producers": {"inbox": None, "files": [], "feeds": []},
        "alerts": {"console": False, "webhooks": []},
        "metrics": {
            "producer_port": free_port(),
            "worker_port": free_port(),
            "notifier_port": free_port(),
        },
        "logging": {"level": "WARNING"},
    }
    for name, values in sections.items():
        config.setdefault(name, {}).update(values)
    path = folder / f"escmon-{tag}.yaml"
    path.write_text(yaml.safe_dump(config))
    settings = load_settings(path)
    ensure_topics(settings)
    return path, settings


class Process:
    """A child process with its output in a log file (shown when something goes wrong)."""

    def __init__(self, argv: list[str], log: Path) -> None:
        self.log = log
        self._fh = open(log, "wb")  # noqa: SIM115 - closed in stop()
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        )
        self.popen = subprocess.Popen(
            argv, stdout=self._fh, stderr=subprocess.STDOUT, cwd=REPO, env=env
        )

    @classmethod
    def escmon(cls, config: Path, *args: str, log: Path) -> Process:
        """``escmon --config CONFIG ARGS...``."""
        return cls([sys.executable, "-m", "escmon.cli", "--config", str(config), *args], log)

    def tail(self, chars: int = 3000) -> str:
        """The end of the process output."""
        return self.log.read_text(errors="replace")[-chars:]

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far (Linux /proc; 0.0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return 0.0
        # utime and stime are fields 14 and 15 of stat(5); here counted after "pid (comm)".
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self) -> bool:
        """Still running?"""
        return self.popen.poll() is None

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout``."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._fh.close()


def wait_until(predicate: Any, timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll ``predicate`` until truthy; raise TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            value = predicate()
            if value:
                return value
        time.sleep(every)
    msg = f"timed out after {timeout:.0f}s waiting for {what}"
    raise TimeoutError(msg)


def readyz(port: int) -> dict[str, Any]:
    """The JSON of a Faust process's /readyz (HTTP errors give the body too)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as resp:  # noqa: S310
            return dict(json.loads(resp.read()))
    except urllib.error.HTTPError as exc:
        return dict(json.loads(exc.read()))


def wait_assigned(ports: list[int], partitions: int, procs: list[Process], timeout: float) -> None:
    """Wait until every Faust process is ready and they hold ``partitions`` between them.

    Each process reports the partitions of all its topics; a process holding none of the input
    topic's is not working yet, so every one must hold some.
    """

    def ready() -> bool:
        for p in procs:
            if not p.alive():
                msg = f"a process exited during start-up:\n{p.tail()}"
                raise RuntimeError(msg)
        states = [readyz(port) for port in ports]
        return all(s.get("ready") and s.get("assigned", 0) > 0 for s in states)

    try:
        wait_until(ready, timeout, "workers ready with partitions assigned", every=0.5)
    except TimeoutError:
        for p in procs:
            print(p.tail(), file=sys.stderr)
        raise


def news_texts() -> list[tuple[str, str]]:
    """News-length (title, body): the seed article, ~560 tokens, the only full article we hold."""
    head, _, body = SEED_ARTICLE.read_text(encoding="utf-8").strip().partition("\n")
    return [(head.strip(), body.strip())]


def realistic_texts() -> list[tuple[str, str]]:
    """(title, body) pairs: the seed article and, when present, the development set's texts."""
    texts = news_texts()
    if DEV_SET.exists():
        for line in DEV_SET.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                texts.append(("", str(item["text"])))
    return texts


def make_articles(n: int, texts: list[tuple[str, str]], prefix: str) -> list[Article]:
    """``n`` articles cycling through ``texts``, each with its own id."""
    now = utcnow()
    return [
        Article(
            id=f"{prefix}-{i:06d}",
            source="bench",
            title=texts[i % len(texts)][0],
            body=texts[i % len(texts)][1],
            fetched=now,
        )
        for i in range(n)
    ]


def producer(bootstrap: str, **extra: Any) -> KafkaProducer:
    """A kafka-python producer with the pipeline's durability (acks=all)."""
    options: dict[str, Any] = {"acks": "all", "linger_ms": 5, "batch_size": 256 * 1024}
    options.update(extra)
    return KafkaProducer(bootstrap_servers=bootstrap, **options)


def produce(bootstrap: str, topic: str, articles: list[Article]) -> float:
    """Publish ``articles`` (serialised first) as fast as possible; return the seconds it took."""
    payloads = [(a.id.encode(), a.to_bytes()) for a in articles]
    prod = producer(bootstrap)
    started = time.perf_counter()
    for key, value in payloads:
        prod.send(topic, key=key, value=value)
    prod.flush(120)
    took = time.perf_counter() - started
    prod.close()
    return took


class TopicCounter:
    """Counts the records on a topic (sum of end offsets) without reading them.

    One client for the whole wait: a new connection per poll would cost the machine more than
    the polling itself and disturb what is measured.
    """

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap)

    def __call__(self) -> int:
        """Records on the topic now."""
        parts = self.consumer.partitions_for_topic(self.topic) or set()
        tps = [TopicPartition(self.topic, p) for p in parts]
        return sum(self.consumer.end_offsets(tps).values()) if tps else 0

    def close(self) -> None:
        """Close the client."""
        self.consumer.close()


def read_all(bootstrap: str, topic: str) -> list[Any]:
    """Every record on ``topic`` now (kafka-python ConsumerRecords with timestamps)."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=2000,
    )
    try:
        return list(consumer)
    finally:
        consumer.close()


def median(values: list[float]) -> float:
    """Median, rounded for the report."""
    return round(statistics.median(values), 3)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank, so it is a measured value)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def machine() -> dict[str, Any]:
    """Where and when the figures were measured (load average says how busy the machine was)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_avg_1m_at_start": round(load[0], 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


class ReplayRun(NamedTuple):
    """One timed replay: how long it took, the alerts it fired, its largest group state."""

    seconds: float
    alerts: int
    largest_state_bytes: int  # as JSON: what one changelog write of that group carries


def replay_figures(
    ruleset: RuleSet, records: Sequence[Record], runs: int, unit: str
) -> dict[str, Any]:
    """Replay ``records`` (in event-time order) through ``ruleset`` ``runs`` times, each in a fresh
    :class:`Replay`: the median time and rate (``<unit>_per_second``, a record each), and the
    first run's alerts and largest state (every run's: the replay is deterministic)."""
    timed = [_replay_once(ruleset, records) for _ in range(runs)]
    seconds = statistics.median(r.seconds for r in timed)
    return {
        "runs": runs,
        "rules": len(ruleset.rules),
        "median_seconds": round(seconds, 3),
        f"{unit}_per_second": round(len(records) / seconds, 1),
        "alerts": timed[0].alerts,
        "largest_group_state_bytes": timed[0].largest_state_bytes,
    }


def _replay_once(ruleset: RuleSet, records: Sequence[Record]) -> ReplayRun:
    run = Replay(ruleset)
    started = time.perf_counter()
    fired = sum(len(list(run.add(r))) for r in records)
    seconds = time.perf_counter() - started
    biggest = max(len(json.dumps(s)) for s in run.states.values())
    return ReplayRun(seconds, fired, biggest)


def write_result(name: str, data: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    return path


class Receiver(ThreadingHTTPServer):
    """A webhook endpoint that records when each POSTed body arrived."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                outer.arrivals.append((time.time(), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        """Where to POST."""
        return f"http://127.0.0.1:{self.server_address[1]}/hook"
