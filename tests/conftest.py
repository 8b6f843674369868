"""Shared fixtures: the real local Kafka broker, per-test configs, and escmon processes.

The broker is started once per test session from the Maven jars (``escmon.broker``) on free ports
under a temporary state folder, and stopped at the end. Set ``ESCMON_TEST_BOOTSTRAP=host:port`` to
run the suite against an already running cluster instead.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from escmon.broker import LocalBroker

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_ARTICLE = SEEDS / "us-strikes-iran-linked-forces.txt"


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test stale compiled rules: an extension module is imported before its source."""
    from processors import compiled

    if compiled.state() == "stale":
        msg = (
            "a rule module (processors/signals.py or one it uses) changed after it was compiled; "
            "run `make compiled` (or `python -m processors.compiled clean` for pure Python)"
        )
        raise pytest.UsageError(msg)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def local_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker | None]:
    """Our broker, started for this session on free ports (None when one is given by env)."""
    if os.environ.get("ESCMON_TEST_BOOTSTRAP"):
        yield None
        return
    state = tmp_path_factory.mktemp("kafka-state")
    broker = LocalBroker(state, port=free_port(), controller_port=free_port())
    try:
        broker.start(timeout=120)
    except Exception as exc:
        pytest.fail(f"local Kafka broker would not start: {exc}\n{broker.log_tail(60)}")
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(local_broker: LocalBroker | None) -> str:
    """host:port of a real broker."""
    if local_broker is None:
        return os.environ["ESCMON_TEST_BOOTSTRAP"]
    return local_broker.bootstrap


@pytest.fixture
def broker_ctl(local_broker: LocalBroker | None) -> LocalBroker:
    """The session broker, for tests that stop and restart it."""
    if local_broker is None:
        pytest.fail("this test stops the broker; unset ESCMON_TEST_BOOTSTRAP")
    return local_broker


@pytest.fixture
def unique() -> str:
    """A short random suffix so each test has its own topics and consumer groups."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def make_config(
    tmp_path: Path, kafka_bootstrap: str, unique: str
) -> Callable[..., tuple[Path, dict[str, Any]]]:
    """Write a config for one test: the session broker, unique topics, free metric ports."""

    def make(**overrides: Any) -> tuple[Path, dict[str, Any]]:
        inbox = tmp_path / "inbox"
        inbox.mkdir(exist_ok=True)
        config: dict[str, Any] = {
            "state_dir": str(tmp_path / "state"),
            "kafka": {
                "bootstrap": kafka_bootstrap,
                "local_broker": False,
                "partitions": 2,
                "app_prefix": f"t{unique}",
            },
            "topics": {
                "raw": f"raw-{unique}",
                "tagged": f"tagged-{unique}",
                "by_country": f"bycountry-{unique}",
                "events": f"events-{unique}",
                "alerts": f"alerts-{unique}",
                "deadletter": f"dead-{unique}",
            },
            "producers": {"inbox": str(inbox), "files": [], "feeds": [], "scan_interval": 0.2},
            "alerts": {
                # The shipped rules (over events, which the worker's event stage makes); tests
                # that count one alert per article name seeds/rules-articles.yaml or their own.
                "rules": str(SEEDS / "rules.yaml"),
                "console": True,
                "webhooks": [],
                "retry_backoff": 0.2,
                "tick_interval": 1.0,
            },
            "metrics": {
                "producer_port": free_port(),
                "worker_port": free_port(),
                "notifier_port": free_port(),
            },
            "logging": {"level": "INFO"},
        }
        for section, values in overrides.items():
            if isinstance(values, dict) and isinstance(config.get(section), dict):
                config[section].update(values)
            else:
                config[section] = values
        path = tmp_path / f"escmon-{uuid.uuid4().hex[:6]}.yaml"
        path.write_text(yaml.safe_dump(config))
        return path, config

    return make


class Proc:
    """An escmon process started by a test, with its output kept for the failure report."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.args = args
        self.log = log
        self._fh = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "escmon.cli", *args],
            stdout=self._fh,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )

    def output(self) -> str:
        """Everything the process printed so far."""
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = 15, timeout: float = 40.0) -> int:
        """Signal the process and wait for it."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._fh.close()
        return int(self.popen.returncode)


@pytest.fixture
def escmon_proc(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Proc]]:
    """Start ``escmon ARGS...`` processes; stop them after the test, printing their logs."""
    procs: list[Proc] = []

    def start(*args: str) -> Proc:
        proc = Proc(list(args), tmp_path / f"proc-{len(procs)}-{args[-1]}.log")
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.stop()
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for proc in procs:
            print(f"\n--- escmon {' '.join(proc.args)} ---\n{proc.output()[-6000:]}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item so fixtures can see whether the test failed."""
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            value = predicate()
            if value:
                return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
