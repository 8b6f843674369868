"""``escmon run``: the local broker (when configured) plus producer, worker and notifier processes.

Each stage runs as its own process, as it would under systemd or in containers; this supervisor
only starts them, restarts one that dies, and shuts everything down on SIGTERM/SIGINT.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from escmon.broker import LocalBroker
from escmon.settings import Settings, config_path
from escmon.topics import ensure_topics

logger = logging.getLogger(__name__)

STAGES = ("producer", "worker", "notifier")
GRACE = 30.0


class Supervisor:
    """Starts, watches and stops the stage processes."""

    def __init__(self, settings: Settings, config: str | None) -> None:
        self.settings = settings
        path = config_path(config)
        self.config = str(Path(path).resolve()) if path else None
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: dict[str, float] = {}
        self.stopping = False

    def _command(self, stage: str) -> list[str]:
        cmd = [sys.executable, "-m", "escmon.cli"]
        if self.config:
            cmd += ["--config", self.config]
        return [*cmd, stage]

    def spawn(self, stage: str) -> None:
        """Start one stage process."""
        # Own process group: a Ctrl-C in the terminal reaches only this supervisor, which then
        # stops each stage once, in order, instead of every stage being signalled twice.
        proc = subprocess.Popen(  # noqa: S603
            self._command(stage), env=os.environ.copy(), process_group=0
        )
        self.children[stage] = proc
        logger.info("started %s (pid %d)", stage, proc.pid)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if not self.stopping:
            logger.info("received %s: shutting down", signal.Signals(signum).name)
        self.stopping = True

    def watch(self) -> None:
        """Restart a stage that exits on its own (with a pause), until asked to stop."""
        while not self.stopping:
            time.sleep(0.5)
            for stage, proc in list(self.children.items()):
                code = proc.poll()
                if code is None or self.stopping:
                    continue
                delay = 5.0 if time.monotonic() - self.restarts.get(stage, 0) < 60 else 1.0
                logger.error("%s exited with code %s; restarting in %.0fs", stage, code, delay)
                time.sleep(delay)
                self.restarts[stage] = time.monotonic()
                if not self.stopping:
                    self.spawn(stage)

    def stop(self) -> None:
        """SIGTERM every stage, then SIGKILL what is left after the grace period."""
        for proc in self.children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE
        for stage, proc in self.children.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop in %.0fs; killing it", stage, GRACE)
                proc.kill()
                proc.wait()
            logger.info("%s stopped (code %s)", stage, proc.returncode)


def run_all(settings: Settings, *, config: str | None, keep_broker: bool = False) -> int:
    """Run the whole pipeline until SIGTERM/SIGINT."""
    broker: LocalBroker | None = None
    started_broker = False
    if settings.kafka.local_broker:
        b = settings.broker
        broker = LocalBroker(
            settings.state_dir,
            port=b.port,
            controller_port=b.controller_port,
            heap=b.heap,
            java=b.java,
        )
        started_broker = not broker.status().running
        broker.start(timeout=b.start_timeout)
    ensure_topics(settings)
    sup = Supervisor(settings, config)
    signal.signal(signal.SIGTERM, sup._on_signal)
    signal.signal(signal.SIGINT, sup._on_signal)
    try:
        for stage in STAGES:
            sup.spawn(stage)
        m = settings.metrics
        logger.info(
            "pipeline running; metrics on http://%s:{%d,%d,%d}/metrics; Ctrl-C stops",
            m.host,
            m.producer_port,
            m.worker_port,
            m.notifier_port,
        )
        sup.watch()
    finally:
        sup.stop()
        if broker is not None and started_broker and not keep_broker:
            broker.stop()
    return 0
